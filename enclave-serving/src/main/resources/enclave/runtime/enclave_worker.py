"""Enclave's scoring worker: runs one user scoring script behind HTTP/1.1 on a Unix domain socket, on one event loop.

Azure ML contract: the scoring script is imported unchanged, init() is called once, then run(raw_data)
once per request with the request body as text. Standard library only, so it runs on any Python 3.

Started by Enclave's PythonWorkerRuntime as:
    python3 -u enclave_worker.py --socket <path.sock> --code-dir <dir> --scoring-script <relative path> [--modules-out <file>]
or, as the runtime's standby interpreter, which imports the libraries listed in <file> and then waits on stdin for the
one deployment it becomes (see standby()):
    python3 -u enclave_worker.py --standby <file>
"""

import argparse
import collections
import importlib
import importlib.util
import json
import logging
import os
import selectors
import socket
import site
import struct
import sys
import threading
import time
import traceback

# Distinct from Python's own exit codes (1 for an uncaught exception, 2 for bad arguments) so the
# runtime can tell "the user's init() failed" from "the worker itself broke".
INIT_FAILED_EXIT_CODE = 3

MAX_BODY_BYTES = 100 * 1024 * 1024

# Modules whose import does something visible (opens a browser, prints): never imported ahead of time.
NOT_PRELOADED = frozenset({"__main__", "antigravity", "this", "__hello__", "__phello__"})


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


def error_body(code, message):
    return json_body({"error": {"code": code, "message": message}})


def json_body(document):
    return json.dumps(document).encode("utf-8")


class BadRequest(Exception):
    """The request cannot be parsed; the connection's framing is lost with it."""


REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 500: b"Internal Server Error"}
MAX_HEAD = 65536
MAX_HEADERS = 100
RECV_BYTES = 256 * 1024


FRAME_HEAD = struct.Struct(">II")


def parse_request(buffer):
    """One request from the front of buffer: (method, target, body, keep_alive, framed, consumed), or None if incomplete.

    Two ways to ask, told apart by the first byte. Enclave's gateway sends frames (see parse_frame), which cost a
    fraction of HTTP to read here; HTTP/1.1 is for everybody else (curl --unix-socket, nginx in the benchmark).
    """
    if buffer[:1] == b"\0":
        return parse_frame(buffer)
    return parse_http(buffer)


def parse_frame(buffer):
    """A frame: header length and body length (two big-endian 32-bit numbers), header, body.

    The header is UTF-8 lines: "<method> <path>", then "<name>: <value>" per header. A header shorter than 16 MiB is
    what makes the first byte zero. Answers are framed the same way, their header's first line being the status.
    """
    if len(buffer) < 8:
        return None
    head_length, body_length = FRAME_HEAD.unpack_from(buffer)
    if head_length > MAX_HEAD:
        raise BadRequest("frame header longer than %d bytes" % MAX_HEAD)
    if body_length > MAX_BODY_BYTES:
        raise BadRequest("request body too large")
    end = 8 + head_length + body_length
    if len(buffer) < end:
        return None
    request_line = bytes(buffer[8:8 + head_length]).split(b"\n", 1)[0]
    method, _, target = request_line.partition(b" ")
    if not target:
        raise BadRequest("malformed frame request line %r" % request_line[:100])
    return method, target, bytes(buffer[8 + head_length:end]), True, True, end


def parse_http(buffer):
    """Strict and small HTTP/1.1: request line, headers, then a Content-Length or chunked body."""
    offset = 0
    while buffer.startswith(b"\r\n", offset):
        offset += 2  # a stray empty line between requests is allowed (RFC 9112, 2.2)
    end = buffer.find(b"\r\n\r\n", offset)
    if end < 0:
        if len(buffer) - offset > MAX_HEAD:
            raise BadRequest("request head longer than %d bytes" % MAX_HEAD)
        return None
    if end - offset > MAX_HEAD:
        raise BadRequest("request head longer than %d bytes" % MAX_HEAD)
    lines = bytes(buffer[offset:end]).split(b"\r\n")
    try:
        method, target, version = lines[0].split()
    except ValueError:
        raise BadRequest("malformed request line %r" % lines[0][:100])
    if len(lines) > MAX_HEADERS + 1:
        raise BadRequest("more than %d header lines" % MAX_HEADERS)
    length = None
    chunked = False
    connection = b""
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise BadRequest("malformed header line %r" % line[:100])
        name = name.strip().lower()
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                raise BadRequest("malformed Content-Length %r" % value.strip()[:40])
            if length < 0:
                raise BadRequest("negative Content-Length")
        elif name == b"transfer-encoding":
            chunked = value.strip().lower() == b"chunked"
        elif name == b"connection":
            connection = value.strip().lower()
    if version == b"HTTP/1.1":
        keep_alive = connection != b"close"
    elif version == b"HTTP/1.0":
        keep_alive = connection == b"keep-alive"
    else:
        raise BadRequest("unsupported protocol %r" % version[:20])
    start = end + 4
    if chunked:
        parsed = parse_chunked(buffer, start)
        if parsed is None:
            return None
        body, consumed = parsed
        return method, target, body, keep_alive, False, consumed
    length = length or 0
    if length > MAX_BODY_BYTES:
        raise BadRequest("request body too large")
    if len(buffer) < start + length:
        return None
    return method, target, bytes(buffer[start:start + length]), keep_alive, False, start + length


def parse_chunked(buffer, position):
    """A chunked body starting at position: (body, end position), or None if incomplete."""
    chunks = []
    total = 0
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buffer[position:line_end]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest("malformed chunk size")
        position = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n", position)
            while trailer_end > position:  # trailer fields are read and ignored
                position = trailer_end + 2
                trailer_end = buffer.find(b"\r\n", position)
            if trailer_end < 0:
                return None
            return b"".join(chunks), trailer_end + 2
        total += size
        if total > MAX_BODY_BYTES:
            raise BadRequest("request body too large")
        if len(buffer) < position + size + 2:
            return None
        chunks.append(bytes(buffer[position:position + size]))
        position += size + 2


def answer(module, method, target, body, keep_alive, framed):
    """The bytes of the response to one request."""
    path = target.split(b"?", 1)[0].rstrip(b"/")
    if path == b"/score":
        status, payload, content_type = score(module, body.decode("utf-8", errors="replace"))
    elif path in (b"", b"/health"):
        status, payload, content_type = 200, b'{"status": "alive"}', "application/json"
    elif path == b"/ready":
        # The socket is bound only after init() returned, so answering at all means ready.
        status, payload, content_type = 200, b'{"status": "ready"}', "application/json"
    else:
        shown = path.decode("utf-8", errors="replace") or "/"
        status, payload, content_type = 404, error_body("NotFound", f"no route for {shown}"), "application/json"
    if framed:
        return frame(status, payload, content_type)
    return response(status, payload, content_type, keep_alive, method == b"HEAD")


def score(module, raw_data):
    try:
        result = module.run(raw_data)
        payload, content_type = encode_result(result)
    except Exception as error:
        print("enclave: run() failed:", file=sys.stderr, flush=True)
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        message = f"{type(error).__name__}: {error}"
        return 500, error_body("ModelError", message), "application/json"
    return 200, payload, content_type


def frame(status, payload, content_type):
    head = b"%d\ncontent-type: %s\n" % (status, content_type.encode("ascii"))
    return FRAME_HEAD.pack(len(head), len(payload)) + head + payload


def response(status, payload, content_type, keep_alive, head=False):
    # Status line, headers and body in one write: half the system calls, and no Nagle delay on TCP.
    head_part = b"HTTP/1.1 %d %s\r\nServer: enclave-worker\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
        status, REASONS.get(status, b"Unknown"), content_type.encode("ascii"), len(payload),
        b"" if keep_alive else b"Connection: close\r\n")
    return head_part if head else head_part + payload


class Connection:
    __slots__ = ("sock", "buffer")

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()


class Server:
    """All of one worker's connections on one thread, the way a single-process inference server should run Python.

    One thread waits for every connection with epoll and runs each request inline: no hand-over of the GIL between
    threads per request, which cost more than a typical sklearn run() itself (a thread per connection served about
    half the requests per second). Requests are answered one after another, as Azure's inference server does with
    its default single worker.

    A run() that takes long (a slow model, or code waiting on I/O) must not hold up everything else, though: a
    watchdog notices a run() busy for longer than TAKEOVER_SECONDS and starts a fresh thread that takes over the
    event loop. The busy thread finishes its request, hands its connection back and ends. So quick requests pay
    nothing for threads, and slow ones still run side by side (up to the gateway's per-instance concurrency).
    """

    TAKEOVER_SECONDS = 0.02
    IDLE_WATCH_SECONDS = 0.2

    def __init__(self, listener, module):
        self.listener = listener
        self.module = module
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()
        self.leader = None          # the thread running the event loop; guarded by lock
        self.busy_since = None      # when the leader's current run() started; guarded by lock
        self.busy_connection = None  # the connection that run() answers; guarded by lock
        self.started = 0  # requests started, so the watchdog can tell an idle worker; guarded by lock
        self.handed_back = collections.deque()
        self.wake_reader, self.wake_writer = socket.socketpair()
        self.wake_reader.setblocking(False)
        listener.setblocking(False)
        self.selector.register(listener, selectors.EVENT_READ, None)
        self.selector.register(self.wake_reader, selectors.EVENT_READ, self.wake_reader)

    def serve_forever(self):
        threading.Thread(target=self.watch, name="enclave-takeover-watch", daemon=True).start()
        with self.lock:
            self.leader = threading.current_thread()
        self.lead(released=None)
        threading.Event().wait()  # the loop moved to another thread; this one only keeps the process alive

    def watch(self):
        # Every 10 ms while requests come in; an idle worker's watchdog backs off to IDLE_WATCH_SECONDS, so that hundreds
        # of idle deployments do not wake hundreds of times a second each. The first slow run() after an idle spell is
        # therefore taken over within IDLE_WATCH_SECONDS rather than TAKEOVER_SECONDS.
        interval = self.TAKEOVER_SECONDS / 2
        seen = -1
        while True:
            time.sleep(interval)
            with self.lock:
                served = self.started
                idle = self.busy_since is None and served == seen
                seen = served
                interval = min(interval * 2, self.IDLE_WATCH_SECONDS) if idle else self.TAKEOVER_SECONDS / 2
                if self.busy_since is None or time.monotonic() - self.busy_since < self.TAKEOVER_SECONDS:
                    continue
                released = self.busy_connection
                successor = threading.Thread(target=self.lead, args=(released,), name="enclave-loop", daemon=True)
                self.leader = successor
                self.busy_since = None
            successor.start()

    def lead(self, released):
        me = threading.current_thread()
        selector = self.selector
        if released is not None:
            # The previous leader is still busy with this connection and will hand it back when done.
            selector.unregister(released.sock)
        while True:
            for key, _ in selector.select():
                data = key.data
                if data is None:
                    self.accept()
                elif data is self.wake_reader:
                    if not self.take_back():
                        return
                elif not self.serve(data, me):
                    return  # another thread leads now

    def accept(self):
        while True:
            try:
                sock, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            sock.setblocking(True)
            if sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.selector.register(sock, selectors.EVENT_READ, Connection(sock))

    def take_back(self):
        """Connections that a thread which lost the lead has finished with: watched again, or closed."""
        try:
            while self.wake_reader.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        me = threading.current_thread()
        while self.handed_back:
            connection, keep_alive = self.handed_back.popleft()
            if not keep_alive:
                connection.sock.close()
                continue
            self.selector.register(connection.sock, selectors.EVENT_READ, connection)
            # Requests that arrived while it was away may already be read: epoll will not mention them again.
            if connection.buffer and not self.serve(connection, me, read=False):
                return False
        return True

    def serve(self, connection, me, read=True):
        """Reads what the connection has and answers every complete request in it; False if the lead moved on.

        A thread that lost the lead during run() sends its answer, hands the connection back to the new leader and
        touches nothing else: only the leader changes the selector.
        """
        data = None
        if read:
            try:
                data = connection.sock.recv(RECV_BYTES)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                data = b""
        if data == b"":
            self.close(connection)
            return True
        if data:
            connection.buffer += data
        buffer = connection.buffer
        replies = []
        keep_alive = True
        try:
            while keep_alive:
                request = parse_request(buffer)
                if request is None:
                    break
                method, target, body, keep_alive, framed, consumed = request
                del buffer[:consumed]
                with self.lock:
                    self.busy_since = time.monotonic()
                    self.started += 1
                    self.busy_connection = connection
                reply = answer(self.module, method, target, body, keep_alive, framed)
                with self.lock:
                    still_leading = self.leader is me
                    if still_leading:
                        self.busy_since = None
                        self.busy_connection = None
                replies.append(reply)
                if not still_leading:
                    keep_alive = self.deliver(connection, replies, keep_alive)
                    self.handed_back.append((connection, keep_alive))
                    self.wake_writer.send(b"\0")
                    return False
        except BadRequest as error:
            # A malformed request, not the model: answer it, then drop the connection, whose framing is lost.
            print(f"enclave: cannot handle a request: {error}", file=sys.stderr, flush=True)
            refusal = error_body("BadRequest", f"BadRequest: {error}")
            framed = buffer[:1] == b"\0"
            replies.append(frame(400, refusal, "application/json") if framed else response(400, refusal, "application/json", False))
            keep_alive = False
        if not self.deliver(connection, replies, keep_alive):
            self.close(connection)
        return True

    @staticmethod
    def deliver(connection, replies, keep_alive):
        """Sends the replies; whether the connection stays open."""
        try:
            if replies:
                connection.sock.sendall(b"".join(replies) if len(replies) > 1 else replies[0])
        except OSError:
            return False  # the caller gave up (request timeout); nobody is left to answer
        return keep_alive

    def close(self, connection):
        self.selector.unregister(connection.sock)
        connection.sock.close()


def exit_when_orphaned():
    # If the Enclave server dies without stopping us, our parent changes; do not linger as an orphan.
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def library_directories():
    """The interpreter's own library folders: the standard library and the system's site-packages."""
    import sysconfig

    paths = sysconfig.get_paths()
    directories = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = paths.get(key)
        if path:
            directories.add(os.path.realpath(path))
    try:
        directories.update(os.path.realpath(path) for path in site.getsitepackages())
    except AttributeError:
        pass
    return tuple(directory.rstrip(os.sep) + os.sep for directory in directories)


def record_modules(target):
    """Writes the names of the modules imported so far that come from the interpreter's own libraries (not the
    deployment's code or model), in import order, for the next standby interpreter to import ahead of time."""
    libraries = library_directories()
    names = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name in NOT_PRELOADED or not path:
            continue
        if os.path.realpath(path).startswith(libraries):
            names.append(name)
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as out:
            out.write("\n".join(names) + "\n")
        os.replace(temporary, target)
    except OSError as e:
        print(f"enclave: cannot record the imported modules in {target}: {e}", file=sys.stderr, flush=True)


def standby(preload):
    """Imports the modules listed in `preload` (what the last deployment's scoring script imported from the system's
    libraries), then waits for one line of JSON on stdin, {"argv", "env", "cwd", "log"}, and becomes that worker: its
    environment, working directory and console log, then main() as if started with those arguments. End of input
    before that line (the server stopped or dropped this standby) ends the process."""
    imported = 0
    try:
        with open(preload, encoding="utf-8") as listed:
            names = [line.strip() for line in listed if line.strip()]
    except OSError:
        names = []
    # Only from the interpreter's own libraries: not from this script's folder, first on sys.path, which is put back
    # before the worker starts so that its sys.path is what a cold worker's is.
    own_folder = sys.path.pop(0)
    for name in names:
        try:
            importlib.import_module(name)
            imported += 1
        except Exception:
            pass
    sys.path.insert(0, own_folder)
    line = sys.stdin.readline()
    if not line:
        os._exit(0)
    job = json.loads(line)
    sys.stdout.flush()
    sys.stderr.flush()
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    log = os.open(job["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.environ.clear()
    os.environ.update(job["env"])
    os.chdir(job["cwd"])
    sys.argv = [sys.argv[0]] + job["argv"]
    print(f"enclave: this worker is the standby interpreter (pid {os.getpid()}), "
          f"started with {imported} library modules imported", flush=True)
    main()


def main():
    parser = argparse.ArgumentParser(description="Enclave scoring worker")
    parser.add_argument("--socket", required=True)
    parser.add_argument("--code-dir", required=True)
    parser.add_argument("--scoring-script", required=True)
    parser.add_argument("--modules-out")
    args = parser.parse_args()
    # The platform appends its own notes to the console log while we run: hand each line to one write(2), so that the
    # log's writers interleave whole lines only (unbuffered, print("a:", b) would be three writes).
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=False)

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

    if args.modules_out:
        record_modules(args.modules_out)

    if os.path.exists(args.socket):
        os.unlink(args.socket)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Only our own user may talk to the model directly; everyone else goes through the gateway.
    previous_umask = os.umask(0o077)
    try:
        listener.bind(args.socket)
    finally:
        os.umask(previous_umask)
    listener.listen(128)
    print(f"enclave: worker ready (pid {os.getpid()})", flush=True)
    Server(listener, module).serve_forever()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--standby":
        standby(sys.argv[2])
    else:
        main()
