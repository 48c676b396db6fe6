package enclave.cli.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import enclave.cli.http.ServerConnection;
import enclave.cli.http.ServerInfo;
import java.nio.file.Path;
import java.util.Optional;

/** Whether the server of a home is up: its {@code server.json}, a live pid, and an answer from {@code /enclave/info}. */
final class ServerState {
    private ServerState() {}

    static Optional<ServerInfo> running(Path home) {
        return ServerInfo.read(home).filter(info -> alive(info.pid()) && ServerConnection.answers(info, home));
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static ObjectNode status(Path home, Optional<ServerInfo> running) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        if (running.isEmpty()) {
            status.put("state", "stopped");
            status.put("home", home.toString());
            return status;
        }
        ServerInfo info = running.get();
        status.put("state", "running");
        status.put("version", info.version());
        status.put("managementUrl", info.managementUrl());
        status.put("gatewayUrl", info.gatewayUrl());
        status.put("scoringUrlBase", info.scoringUrlBase());
        if (info.dnsPort() != null) {
            // where the platform's public DNS resolver answers (dig @dnsAddress -p dnsPort <name>)
            status.put("dnsAddress", info.dnsAddress());
            status.put("dnsPort", info.dnsPort().intValue());
        }
        status.put("caFile", info.caPath(home).toString());
        status.put("home", home.toString());
        status.put("pid", info.pid());
        status.put("tenantId", info.tenantId());
        status.put("subscriptionId", info.subscriptionId());
        return status;
    }
}
