"""Enclave's worker sandbox: sets up a deployment's network inside fresh Linux namespaces, then runs the worker.

Started by Enclave's PythonWorkerRuntime, already inside new namespaces, as:
    unshare --net --mount --propagation private -- python3 enclave_sandbox.py --config <json> -- <worker command...>
(or `unshare --mount ...` when only /etc/resolv.conf changes). Standard library only.

In an isolated network namespace only `lo` exists, so nothing outside is reachable except through the relays this
process runs: each TCP forward listens on ip:port and copies every connection byte for byte to a Unix socket of the
platform (Unix sockets are files, so they cross network namespaces); the DNS forward listens on ip:53, UDP and TCP,
and passes queries to a Unix socket speaking DNS-over-TCP framing (a 2-byte length before each message).

The namespaces belong to this process and its child: when both exit, the kernel removes them; nothing is left
behind. Relay errors are printed to stderr, which is the worker's console log.
"""

import ctypes
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

MS_BIND = 4096
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
PR_SET_PDEATHSIG = 1
BUFFER = 65536
DNS_TIMEOUT_SECONDS = 5

_libc = ctypes.CDLL(None, use_errno=True)


def log(message):
    print(f"enclave-sandbox: {message}", file=sys.stderr, flush=True)


def bring_loopback_up():
    # The same as `ip link set lo up`, without depending on iproute2 or starting a process.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(control.fileno(), SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(control.fileno(), SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def bind_mount(source, target):
    # Only in this process's private mount namespace: the host's file is untouched.
    if _libc.mount(source.encode(), target.encode(), None, MS_BIND, None) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot bind-mount {source} over {target}: {os.strerror(error)}")


def listen_tcp(ip, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((ip, port))
    server.listen(128)
    return server


def listen_udp(ip, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((ip, port))
    return server


def pump(source, target):
    try:
        while True:
            data = source.recv(BUFFER)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        # Half-close, so a client that finished sending still gets the whole answer.
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def relay_connection(client, unix_path, name):
    with client:
        try:
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(unix_path)
        except OSError as e:
            log(f"{name}: cannot reach {unix_path}: {e}")
            return
        with upstream:
            back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
            back.start()
            pump(client, upstream)
            back.join()


def serve_tcp(server, unix_path, name):
    while True:
        try:
            client, _ = server.accept()
        except OSError as e:
            log(f"{name}: accept failed: {e}")
            time.sleep(0.1)
            continue
        threading.Thread(target=relay_connection, args=(client, unix_path, name), daemon=True).start()


def receive_exactly(connection, count):
    data = b""
    while len(data) < count:
        chunk = connection.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the DNS socket closed before a whole answer arrived")
        data += chunk
    return data


def answer_udp_query(server, query, client, unix_path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as upstream:
            upstream.settimeout(DNS_TIMEOUT_SECONDS)
            upstream.connect(unix_path)
            upstream.sendall(struct.pack("!H", len(query)) + query)
            (length,) = struct.unpack("!H", receive_exactly(upstream, 2))
            answer = receive_exactly(upstream, length)
        server.sendto(answer, client)
    except OSError as e:
        log(f"dns: query from {client[0]}:{client[1]} not answered by {unix_path}: {e}")


def serve_udp_dns(server, unix_path):
    while True:
        try:
            query, client = server.recvfrom(BUFFER)
        except OSError as e:
            log(f"dns: receive failed: {e}")
            time.sleep(0.1)
            continue
        threading.Thread(target=answer_udp_query, args=(server, query, client, unix_path), daemon=True).start()


def exit_when_orphaned(child):
    # The server died without stopping us: stop the worker so the namespaces go away with us.
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            terminate(child, signal.SIGTERM)
            return


def terminate(child, signum):
    try:
        child.send_signal(signum)
    except ProcessLookupError:
        pass


def die_with_parent():
    # Runs in the worker between fork and exec: if this sandbox dies, even by SIGKILL, the worker dies too.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def main():
    # Parsed by hand: argparse alone would add a fifth of this process's start-up time.
    arguments = sys.argv[1:]
    if len(arguments) < 4 or arguments[0] != "--config" or arguments[2] != "--":
        log("usage: enclave_sandbox.py --config <json file> -- <worker command...>")
        sys.exit(2)
    config_file, command = arguments[1], arguments[3:]
    with open(config_file, encoding="utf-8") as file:
        config = json.load(file)

    # Set up everything before the worker starts, so its init() already sees the final network.
    relays = []
    try:
        if config.get("isolated"):
            bring_loopback_up()
        bind_mount(config["resolvConf"], "/etc/resolv.conf")
        if config.get("hosts"):
            bind_mount(config["hosts"], "/etc/hosts")
        for forward in config.get("tcpForwards", []):
            name = f"forward {forward['ip']}:{forward['port']}"
            relays.append((serve_tcp, (listen_tcp(forward["ip"], forward["port"]), forward["socket"], name)))
        dns = config.get("dns")
        if dns:
            relays.append((serve_udp_dns, (listen_udp(dns["ip"], 53), dns["socket"])))
            # DNS over TCP has the same framing on both sides: a plain byte relay.
            relays.append((serve_tcp, (listen_tcp(dns["ip"], 53), dns["socket"], f"dns {dns['ip']}:53/tcp")))
    except OSError as e:
        log(f"cannot set up the worker's network: {e}")
        sys.exit(1)

    # The listening sockets already queue connections; the relay threads start after the fork, so that the
    # fork happens while this process is still single-threaded.
    child = subprocess.Popen(command, preexec_fn=die_with_parent)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, frame: terminate(child, received))
    for target, relay_args in relays:
        threading.Thread(target=target, args=relay_args, daemon=True).start()
    threading.Thread(target=exit_when_orphaned, args=(child,), daemon=True).start()

    while True:
        try:
            status = child.wait()
            break
        except InterruptedError:
            continue
    sys.stdout.flush()
    os._exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
