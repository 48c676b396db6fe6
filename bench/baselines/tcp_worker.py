"""Baseline (c), the floor: Enclave's own worker (enclave_worker.py, unchanged) bound to TCP instead of a Unix socket.

wrk cannot open a Unix socket, so this imports the worker script and serves its very request handler on
127.0.0.1:<port>; loading, init() and the per-request code are the worker's own.
    python3 tcp_worker.py <enclave_worker.py> <port> --code-dir DIR --scoring-script score.py
"""

import importlib.util
import logging
import socket
import socketserver
import sys

worker_path, port = sys.argv[1], int(sys.argv[2])
spec = importlib.util.spec_from_file_location("enclave_worker", worker_path)
worker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(worker)

args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
module = worker.load_scoring_module(args["--code-dir"], args["--scoring-script"])
module.init()
worker.Handler.scoring_module = module


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def get_request(self):
        # The handler writes status line, headers and body separately; on TCP (not on a Unix socket) Nagle's
        # algorithm would hold the body back until the client's delayed ACK, 40 ms per request.
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


print(f"bench: bare worker ready on 127.0.0.1:{port}", flush=True)
Server(("127.0.0.1", port), worker.Handler).serve_forever()
