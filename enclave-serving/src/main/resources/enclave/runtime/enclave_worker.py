"""Enclave's scoring worker: runs one user scoring script behind HTTP/1.1 on a Unix domain socket.

Azure ML contract: the scoring script is imported unchanged, init() is called once, then run(raw_data)
once per request with the request body as text. Standard library only, so it runs on any Python 3.

Started by Enclave's PythonWorkerRuntime as:
    python3 -u enclave_worker.py --socket <path.sock> --code-dir <dir> --scoring-script <relative path>
"""

import argparse
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


class BadRequest(Exception):
    """The request cannot be parsed; the connection's framing is lost with it."""


REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 500: b"Internal Server Error"}
MAX_LINE = 65536
MAX_HEADERS = 100


class Handler(socketserver.StreamRequestHandler):
    """HTTP/1.1 with keep-alive, parsed by hand for speed.

    BaseHTTPRequestHandler parses every header block with the email package and formats a Date per answer; that cost
    more than a typical sklearn run() itself. The gateway is the only client and speaks plain HTTP/1.1, so a strict,
    small parser is enough: request line, headers, Content-Length or chunked body.
    """

    rbufsize = 64 * 1024
    wbufsize = 0
    scoring_module = None

    def handle(self):
        rfile = self.rfile
        while True:
            try:
                line = rfile.readline(MAX_LINE + 1)
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    continue  # a stray empty line between requests is allowed (RFC 9112, 2.2)
                try:
                    method, target, version = line.split()
                except ValueError:
                    raise BadRequest("malformed request line %r" % line[:100])
                if len(line) > MAX_LINE:
                    raise BadRequest("request line too long")
                headers = self.read_headers(rfile)
                if version == b"HTTP/1.1":
                    keep_alive = headers.get(b"connection", b"").lower() != b"close"
                elif version == b"HTTP/1.0":
                    keep_alive = headers.get(b"connection", b"").lower() == b"keep-alive"
                else:
                    raise BadRequest("unsupported protocol %r" % version[:20])
                body = self.read_body(rfile, headers)
                status, payload, content_type = self.route(target, body)
                self.reply(status, payload, content_type, keep_alive, method == b"HEAD")
                if not keep_alive:
                    return
            except (BrokenPipeError, ConnectionResetError):
                # The caller gave up (request timeout); nobody is left to answer.
                return
            except Exception as error:
                # A malformed request, not the model: answer it, then drop the connection, whose framing may be lost.
                print(f"enclave: cannot handle a request: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
                try:
                    message = f"{type(error).__name__}: {error}"
                    self.reply(400, json_body({"error": {"code": "BadRequest", "message": message}}), "application/json", False, False)
                except OSError:
                    pass
                return

    @staticmethod
    def read_headers(rfile):
        headers = {}
        for _ in range(MAX_HEADERS + 1):
            line = rfile.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                return headers
            name, colon, value = line.partition(b":")
            if not colon or len(line) > MAX_LINE:
                raise BadRequest("malformed header line %r" % line[:100])
            name = name.strip().lower()
            if name in headers:
                headers[name] += b", " + value.strip()
            else:
                headers[name] = value.strip()
        raise BadRequest("more than %d header lines" % MAX_HEADERS)

    @staticmethod
    def read_body(rfile, headers):
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            chunks = []
            total = 0
            while True:
                size = int(rfile.readline(MAX_LINE + 1).split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                chunks.append(rfile.read(size))
                rfile.readline(MAX_LINE + 1)
        length = int(headers.get(b"content-length") or 0)
        if length > MAX_BODY_BYTES or length < 0:
            raise ValueError("request body too large" if length > 0 else "negative Content-Length")
        if length == 0:
            return b""
        body = rfile.read(length)
        if len(body) != length:
            raise ConnectionResetError("the request body ended early")
        return body

    def route(self, target, body):
        path = target.split(b"?", 1)[0].rstrip(b"/")
        if path == b"/score":
            return self.score(body.decode("utf-8", errors="replace"))
        if path in (b"", b"/health"):
            return 200, json_body({"status": "alive"}), "application/json"
        if path == b"/ready":
            # The socket is bound only after init() returned, so answering at all means ready.
            return 200, json_body({"status": "ready"}), "application/json"
        shown = path.decode("utf-8", errors="replace") or "/"
        return 404, json_body({"error": {"code": "NotFound", "message": f"no route for {shown}"}}), "application/json"

    def score(self, raw_data):
        try:
            result = self.scoring_module.run(raw_data)
            payload, content_type = encode_result(result)
        except Exception as error:
            print("enclave: run() failed:", file=sys.stderr, flush=True)
            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            message = f"{type(error).__name__}: {error}"
            return 500, json_body({"error": {"code": "ModelError", "message": message}}), "application/json"
        return 200, payload, content_type

    def reply(self, status, payload, content_type, keep_alive, head):
        # Status line, headers and body in one write: half the system calls, and no Nagle delay on TCP.
        head_part = b"HTTP/1.1 %d %s\r\nServer: enclave-worker\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
            status, REASONS.get(status, b"Unknown"), content_type.encode("ascii"), len(payload),
            b"" if keep_alive else b"Connection: close\r\n")
        self.wfile.write(head_part if head else head_part + payload)


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
