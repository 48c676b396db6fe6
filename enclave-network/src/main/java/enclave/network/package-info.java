/**
 * Private networking: virtual networks and subnets inside 127.0.0.0/8 with exact IP allocation, private endpoints and
 * their connections (approval), private DNS zones and the platform's split-horizon DNS server.
 */
package enclave.network;
