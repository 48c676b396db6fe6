"""Enclave's scoring worker: runs one user scoring script behind HTTP/1.1 on a Unix domain socket.

Azure ML contract: the scoring script is imported unchanged, init() is called once, then run(raw_data)
once per request with the request body as text. Standard library only, so it runs on any Python 3.

Started by Enclave's PythonWorkerRuntime as:
    python3 -u enclave_worker.py --socket <path.sock> --code-dir <dir> --scoring-script <relative path>
"""

import argparse
import http.server
import importlib.util
import json
import logging
import os
import socketserver
import sys
import threading
import time
import traceback

# Distinct from Python's own exit codes (1 for an uncaught exception, 2 for bad arguments) so the
# runtime can tell "the user's init() failed" from "the worker itself broke".
INIT_FAILED_EXIT_CODE = 3

MAX_BODY_BYTES = 100 * 1024 * 1024


def load_scoring_module(code_dir, scoring_script):
    path = os.path.abspath(os.path.join(code_dir, scoring_script))
    # The script's own directory and the code directory both go on sys.path, code directory first,
    # so `import helpers` works from either place as it does on Azure.
    for directory in (os.path.dirname(path), os.path.abspath(code_dir)):
        if directory in sys.path:
            sys.path.remove(directory)
        sys.path.insert(0, directory)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise AttributeError(f"{scoring_script} does not define a run(raw_data) function")
    return module


def to_jsonable(value):
    # numpy arrays and numpy scalars; checked by attribute so numpy stays optional.
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode_result(result):
    if isinstance(result, (bytes, bytearray, memoryview)):
        return bytes(result), "application/octet-stream"
    return json.dumps(result, default=to_jsonable).encode("utf-8"), "application/json"


def json_body(document):
    return json.dumps(document).encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "enclave-worker"
    sys_version = ""
    scoring_module = None

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        # One access-log line per request would drown the user's own output in the console log.
        pass

    def __getattr__(self, name):
        # BaseHTTPRequestHandler looks up do_<METHOD>; every method reaches the same router.
        if name.startswith("do_"):
            return self.route
        raise AttributeError(name)

    def route(self):
        try:
            path = self.path.split("?", 1)[0].rstrip("/")
            body = self.read_body()
            if path in ("", "/health"):
                self.reply(200, json_body({"status": "alive"}))
            elif path == "/ready":
                # The socket is bound only after init() returned, so answering at all means ready.
                self.reply(200, json_body({"status": "ready"}))
            elif path == "/score":
                self.score(body)
            else:
                self.reply(404, json_body({"error": {"code": "NotFound", "message": f"no route for {path or '/'}"}}))
        except (BrokenPipeError, ConnectionResetError):
            # The caller gave up (request timeout); nobody is left to answer.
            self.close_connection = True
        except Exception as error:
            # A malformed request, not the model: answer it, then drop the connection, whose framing may be lost.
            self.close_connection = True
            print(f"enclave: cannot handle {self.command} {self.path}: {error}", file=sys.stderr, flush=True)
            try:
                message = f"{type(error).__name__}: {error}"
                self.reply(400, json_body({"error": {"code": "BadRequest", "message": message}}))
            except OSError:
                pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def score(self, body):
        raw_data = body.decode("utf-8", errors="replace")
        try:
            result = self.scoring_module.run(raw_data)
            payload, content_type = encode_result(result)
        except Exception as error:
            print("enclave: run() failed:", file=sys.stderr, flush=True)
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            message = f"{type(error).__name__}: {error}"
            self.reply(500, json_body({"error": {"code": "ModelError", "message": message}}))
            return
        self.reply(200, payload, content_type)

    def reply(self, status, payload, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        # end_headers() would send the headers in a write of their own; one write for headers and body halves the
        # system calls per answer (and on TCP keeps Nagle from holding the body back for a delayed ACK).
        parts = getattr(self, "_headers_buffer", [])  # absent for an HTTP/0.9 request, which gets no headers
        if parts:
            parts.append(b"\r\n")
        if self.command != "HEAD":
            parts.append(payload)
        self.wfile.write(b"".join(parts))
        self._headers_buffer = []
        self.wfile.flush()


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 128


def exit_when_orphaned():
    # If the Enclave server dies without stopping us, our parent changes; do not linger as an orphan.
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main():
    parser = argparse.ArgumentParser(description="Enclave scoring worker")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--scoring-script", required=True)
    args = parser.parse_args()

    threading.Thread(target=exit_when_orphaned, name="enclave-orphan-watch", daemon=True).start()
    # Azure's inference server shows what scoring code logs at INFO and above; so do we (stderr lands in the console log).
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        module = load_scoring_module(args.code_dir, args.scoring_script)
    except BaseException:
        print(f"enclave: loading {args.scoring_script} failed:", file=sys.stderr, flush=True)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        os._exit(INIT_FAILED_EXIT_CODE)

    init = getattr(module, "init", None)
    if callable(init):
        try:
            init()
        except BaseException:
            print("enclave: init() failed:", file=sys.stderr, flush=True)
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            os._exit(INIT_FAILED_EXIT_CODE)

    Handler.scoring_module = module
    if os.path.exists(args.socket):
        os.unlink(args.socket)
    # Only our own user may talk to the model directly; everyone else goes through the gateway.
    previous_umask = os.umask(0o077)
    try:
        server = Server(args.socket, Handler)
    finally:
        os.umask(previous_umask)
    print(f"enclave: worker ready (pid {os.getpid()})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
