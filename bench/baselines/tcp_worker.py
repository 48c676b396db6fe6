"""Baseline (c), the floor: Enclave's own worker (enclave_worker.py, unchanged) listening on TCP instead of a Unix socket.

wrk cannot open a Unix socket, so this imports the worker script and runs its very server (event loop, parser and
request handling) on 127.0.0.1:<port>; loading, init() and the per-request code are the worker's own.
    python3 tcp_worker.py <enclave_worker.py> <port> --code-dir DIR --scoring-script score.py
"""

import importlib.util
import logging
import socket
import sys

worker_path, port = sys.argv[1], int(sys.argv[2])
spec = importlib.util.spec_from_file_location("enclave_worker", worker_path)
worker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(worker)

args = dict(zip(sys.argv[3::2], sys.argv[4::2]))
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
module = worker.load_scoring_module(args["--code-dir"], args["--scoring-script"])
module.init()

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", port))
listener.listen(128)
print(f"bench: bare worker ready on 127.0.0.1:{port}", flush=True)
worker.Server(listener, module).serve_forever()
