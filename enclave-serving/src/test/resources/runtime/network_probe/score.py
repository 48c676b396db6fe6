"""Reports what the network looks like from inside the worker: the sandbox tests assert on it."""
import os
import socket
import subprocess
import sys
import urllib.request

results = {}


def attempt(name, action):
    try:
        results[name] = action()
    except Exception as e:
        results[name] = "error: " + type(e).__name__ + ": " + str(e)


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


def connect_to_host():
    with socket.create_connection(("127.0.0.1", int(os.environ["HOST_PORT"])), timeout=10):
        return "connected"


def resolve_over_tcp(name):
    # RES_OPTIONS=use-vc makes glibc ask the nameserver over TCP instead of UDP.
    environment = dict(os.environ, RES_OPTIONS="use-vc")
    script = "import socket, sys; print(socket.gethostbyname(sys.argv[1]))"
    return subprocess.run([sys.executable, "-c", script, name], env=environment, capture_output=True, text=True,
                          timeout=30, check=True).stdout.strip()


def init():
    checks = os.environ["CHECKS"].split(",")
    name = os.environ.get("PRIVATE_NAME")
    attempt("resolv_conf", lambda: read("/etc/resolv.conf"))
    attempt("host_tcp", connect_to_host)
    attempt("java_tool_options", lambda: os.environ.get("JAVA_TOOL_OPTIONS"))
    if "dns" in checks:
        attempt("resolved", lambda: socket.gethostbyname(name))
        attempt("resolved_tcp", lambda: resolve_over_tcp(name))
        attempt("unknown", lambda: socket.gethostbyname("not-served.example"))
        attempt("hosts", lambda: read("/etc/hosts"))
    if "http" in checks:
        # Issue 4's URL, unchanged: https on port 443, the name resolved by the platform, its CA from SSL_CERT_FILE.
        attempt("fetched", lambda: fetch(f"https://{name}/container/blob.txt"))
        attempt("msi", lambda: fetch(os.environ["MSI_ENDPOINT"] + "?resource=https://storage.azure.com/"))
        attempt("broken_forward", lambda: fetch(os.environ["BROKEN_FORWARD_URL"]))


def run(raw_data):
    return results
