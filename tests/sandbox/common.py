"""common.py - the HTTP plumbing shared by the three sandbox servers.

A threaded HTTP/1.1 server on 127.0.0.1 (optionally TLS), a handler that
logs every request, applies the configured latency and injected faults,
serves the control API under /_control/ and hands everything else to the
server's application object.  Standard library only.

An application implements:
    handle(req) -> Response          the real API
    control(req) -> Response|None    extra /_control/ routes (None: 404)
    fault_empty(obj) / fault_wrong_shape(obj)  optional fault transforms
"""
import base64
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 * 1024 * 1024   # request bodies above this get 413
LOG_MAX = 1000000             # request-log entries kept (oldest dropped)
CHUNK = 256 * 1024            # streamed responses are sent in pieces of this size

FAULT_KINDS = ("429", "429_retry_after", "500", "502", "503", "stall", "reset", "truncate",
               "invalid_json", "wrong_shape", "omit_fields", "empty", "hold", "plant")


def dumps(obj):
    """Compact UTF-8 JSON bytes (non-ASCII kept as is, like the real services)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Response:
    """What an application returns.

    body: bytes, or None for an empty body.  obj: a JSON-able value that
    is serialised unless a fault transforms it first.  stream: an iterable
    of bytes pieces, sent with chunked transfer encoding (big answers).
    """
    __slots__ = ("status", "headers", "body", "obj", "stream", "ctype")

    def __init__(self, status=200, obj=None, body=None, headers=None, stream=None,
                 ctype="application/json"):
        self.status = status
        self.obj = obj
        self.body = body
        self.stream = stream
        self.headers = dict(headers or {})
        self.ctype = ctype

    def materialise(self):
        """The whole body as bytes (streams are joined)."""
        if self.body is not None:
            return self.body
        if self.stream is not None:
            return b"".join(self.stream)
        if self.obj is not None:
            return dumps(self.obj)
        return b""


def json_response(obj, status=200, headers=None, ctype="application/json"):
    return Response(status, obj=obj, headers=headers, ctype=ctype)


def text_response(status, text, headers=None):
    return Response(status, body=text.encode("utf-8"), headers=headers,
                    ctype="text/plain; charset=utf-8")


def empty_response(status, headers=None):
    return Response(status, body=b"", headers=headers, ctype=None)


class Request:
    """One parsed request, as the applications see it."""
    __slots__ = ("method", "path", "query", "raw_query", "headers", "body", "client",
                 "_json", "_json_err")

    def __init__(self, method, path, raw_query, headers, body, client):
        self.method = method
        self.path = path
        self.raw_query = raw_query
        # parse_qs turns a raw '+' into a space, like every form decoder
        self.query = urllib.parse.parse_qs(raw_query, keep_blank_values=True)
        self.headers = headers
        self.body = body
        self.client = client
        self._json = None
        self._json_err = None

    def q(self, name, default=None):
        v = self.query.get(name)
        return v[0] if v else default

    def qlist(self, name):
        return self.query.get(name, [])

    def qbool(self, name, default=False):
        v = self.q(name)
        if v is None or v == "":
            return default
        return v.strip().lower() in ("1", "true", "yes")

    def json(self):
        """The body as JSON, or raises ValueError."""
        if self._json is None and self._json_err is None:
            try:
                self._json = json.loads(self.body.decode("utf-8")) if self.body else None
            except (ValueError, UnicodeDecodeError) as e:
                self._json_err = e
        if self._json_err is not None:
            raise ValueError(str(self._json_err))
        return self._json

    def basic_auth(self):
        """(user, password) from an Authorization: Basic header, or None."""
        h = self.headers.get("Authorization", "")
        if not h[:6].lower() == "basic ":
            return None
        try:
            raw = base64.b64decode(h[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        user, sep, pw = raw.partition(":")
        if not sep:
            return None
        return user, pw

    def bearer(self):
        h = self.headers.get("Authorization", "")
        if h[:7].lower() == "bearer ":
            return h[7:].strip()
        return None


class Fault:
    __slots__ = ("path", "kind", "count", "method", "opts", "after")

    def __init__(self, spec):
        kind = str(spec.get("kind", ""))
        if kind not in FAULT_KINDS:
            raise ValueError("unknown fault kind %r (one of %s)" % (kind, ", ".join(FAULT_KINDS)))
        path = spec.get("path", "/")
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError("fault path must start with /")
        count = spec.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool):
            raise ValueError("count must be an integer (-1: until cleared)")
        after = spec.get("after", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            raise ValueError("after must be a whole number (matching requests let through first)")
        self.after = after
        self.path = path
        self.kind = kind
        self.count = count
        self.method = spec.get("method")
        self.opts = spec

    def describe(self):
        d = dict(self.opts)
        d["count"] = self.count
        d["after"] = self.after
        return d


class ServerCore:
    """State every server has: request log, faults, latency, lifetime."""

    def __init__(self, name, app, latency_ms=0):
        self.name = name
        self.app = app
        self.latency_ms = latency_ms
        self.lock = threading.Lock()
        self.log = []
        self.faults = []
        self.answer_log = None     # AnswerLog when the sandbox runs with --answer-log

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if len(self.log) > LOG_MAX:
                del self.log[:len(self.log) - LOG_MAX]

    def take_fault(self, method, path):
        with self.lock:
            for f in self.faults:
                if f.method and f.method.upper() != method:
                    continue
                if not path.startswith(f.path):
                    continue
                if f.count == 0:
                    continue
                if f.after > 0:     # let this many matching requests through first
                    f.after -= 1
                    continue
                if f.count > 0:
                    f.count -= 1
                return f
        return None

    def control(self, req):
        """The control routes every server has; the app adds its own."""
        p = req.path
        if p == "/_control/requests":
            if req.method == "GET":
                with self.lock:
                    log = list(self.log)
                out = []
                for m, path, query, t, status, ms, fault in log:
                    e = {"method": m, "path": path, "query": query, "time": t, "status": status, "ms": ms}
                    if fault is not None:
                        e["fault"] = fault
                    out.append(e)
                return json_response({"requests": out, "count": len(out)})
            if req.method == "DELETE":
                with self.lock:
                    n = len(self.log)
                    self.log = []
                return json_response({"cleared": n})
        if p == "/_control/fault":
            if req.method == "POST":
                try:
                    spec = req.json()
                    if isinstance(spec, dict):
                        specs = [spec]
                    elif isinstance(spec, list):
                        specs = spec
                    else:
                        raise ValueError("send a fault object or a list of them")
                    new = [Fault(s) for s in specs]
                except ValueError as e:
                    return json_response({"error": str(e)}, 400)
                with self.lock:
                    self.faults.extend(new)
                    cur = [f.describe() for f in self.faults]
                return json_response({"faults": cur})
            if req.method == "DELETE":
                with self.lock:
                    self.faults = []
                return json_response({"faults": []})
            if req.method == "GET":
                with self.lock:
                    cur = [f.describe() for f in self.faults]
                return json_response({"faults": cur})
        if p == "/_control/latency" and req.method == "POST":
            try:
                body = req.json() or {}
                self.latency_ms = max(0, int(body.get("ms", 0)))
            except (ValueError, TypeError, AttributeError) as e:
                return json_response({"error": str(e)}, 400)
            return json_response({"ms": self.latency_ms})
        if p == "/_control/ping":
            return json_response({"server": self.name, "ok": True})
        return self.app.control(req)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    sys_version = ""

    timeout = 120   # idle keep-alive connections are closed after this

    def setup(self):
        super().setup()
        try:    # answers go out whole and at once: no Nagle wait on the client's delayed ACK
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        if isinstance(self.connection, ssl.SSLSocket):
            # in this connection's thread, so a slow client cannot hold up accept()
            self.connection.do_handshake()

    def log_message(self, fmt, *args):  # quiet: the control API has the log
        pass

    # one method handles every verb
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def dispatch(self):
        core = self.server.core
        t0 = time.time()
        raw_path, _, raw_query = self.path.partition("?")
        path = urllib.parse.unquote(raw_path)
        n = self.headers.get("Content-Length")
        body = b""
        if n is not None:
            try:
                n = int(n)
            except ValueError:
                n = -1
            if n < 0 or n > MAX_BODY:
                self.close_connection = True
                self.send_plain(413, b"request body too large")
                self.log_entry(t0, path, raw_query, 413)
                return
            body = self.rfile.read(n) if n else b""
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
            if body is None:
                self.close_connection = True
                self.send_plain(413, b"request body too large")
                self.log_entry(t0, path, raw_query, 413)
                return
        req = Request(self.command, path, raw_query, self.headers, body, self.client_address[0])
        if path.startswith("/_control/"):
            try:
                resp = core.control(req)
            except Exception as e:  # a control bug must not kill the server
                resp = json_response({"error": "control: %s: %s" % (type(e).__name__, e)}, 500)
            if resp is None:
                resp = json_response({"error": "no control route %s %s" % (req.method, path)}, 404)
            self.send(resp, None)
            return
        if core.latency_ms:
            time.sleep(core.latency_ms / 1000.0)
        fault = core.take_fault(self.command, path)
        # the log entry is written before the answer goes out, so a client
        # that reads the log right after its call always finds the call
        if fault is not None and fault.kind in ("429", "429_retry_after", "500", "502",
                                                "503", "stall", "reset"):
            codes = {"stall": -1, "reset": -2, "429_retry_after": 429}
            self.log_entry(t0, path, raw_query, codes.get(fault.kind) or int(fault.kind), fault)
            self.raw_fault(fault, core)
            return
        try:
            resp = core.app.handle(req)
        except Exception as e:
            resp = text_response(500, "sandbox error: %s: %s" % (type(e).__name__, e))
        if fault is not None:
            resp = self.transform(fault, resp, core)
        self.log_entry(t0, path, raw_query, resp.status, fault)
        if fault is not None and fault.kind == "hold":
            # the request was served (a write is done) but the answer never
            # comes: the client is killed or times out not knowing
            time.sleep(max(0.0, min(float(fault.opts.get("seconds", 30)), 600.0)))
            if fault.opts.get("answer"):
                self.send(resp, req, fault)     # late, but answered
            else:
                self.close_connection = True
        elif fault is not None and fault.kind == "truncate":
            self.send_truncated(resp)
        else:
            self.send(resp, req, fault)

    def read_chunked(self):
        out = []
        total = 0
        while True:
            line = self.rfile.readline(100)
            try:
                size = int(line.split(b";")[0].strip() or b"0", 16)
            except ValueError:
                return None
            if size == 0:
                self.rfile.readline(100)
                break
            total += size
            if total > MAX_BODY:
                return None
            out.append(self.rfile.read(size))
            self.rfile.readline(10)
        return b"".join(out)

    def log_entry(self, t0, path, raw_query, status, fault=None):
        if not path.startswith("/_control/"):
            self.server.core.record((self.command, path, raw_query, t0, status,
                                     round((time.time() - t0) * 1000, 1),
                                     fault.kind if fault is not None else None))

    def send_plain(self, status, body, headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def raw_fault(self, fault, core):
        if fault.kind == "429":
            hdr = {}
            if fault.opts.get("ratelimit_headers", True):
                hdr = {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
                       "X-RateLimit-Reset": str(int(time.time()) + int(fault.opts.get("reset_seconds", 60)))}
            self.send_plain(429, b"Too Many Requests", hdr)
            return 429
        if fault.kind == "429_retry_after":
            ra = fault.opts.get("retry_after", 1)
            self.send_plain(429, b"Too Many Requests", {"Retry-After": str(ra)})
            return 429
        if fault.kind in ("500", "502", "503"):
            code = int(fault.kind)
            text = {500: b"Internal Server Error", 502: b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                    503: b"Service Unavailable"}[code]
            hdr = {}
            if code == 503 and "retry_after" in fault.opts:
                hdr["Retry-After"] = str(fault.opts["retry_after"])
            self.send_plain(code, text, hdr)
            return code
        if fault.kind == "stall":
            secs = float(fault.opts.get("seconds", 30))
            time.sleep(max(0.0, min(secs, 600.0)))
            self.close_connection = True
            return -1
        if fault.kind == "reset":
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            except OSError:
                pass
            return -2
        return 0

    def transform(self, fault, resp, core):
        kind = fault.kind
        if kind == "invalid_json":
            return Response(200, body=b'{"employees": [{"id": "1", "email": "trunc',
                            headers=resp.headers)
        if kind in ("empty", "wrong_shape", "omit_fields", "plant"):
            obj = resp.obj
            if obj is None and resp.stream is None and resp.body is not None:
                try:
                    obj = json.loads(resp.body.decode("utf-8")) if resp.body else None
                except ValueError:
                    obj = None
            elif obj is None and resp.stream is not None:
                obj = json.loads(resp.materialise().decode("utf-8"))
            if obj is None:
                return resp
            if kind == "empty":
                obj = getattr(core.app, "fault_empty", default_empty)(obj)
            elif kind == "wrong_shape":
                obj = getattr(core.app, "fault_wrong_shape", default_wrong_shape)(obj)
            elif kind == "plant":
                obj = plant(obj, fault.opts)
            else:
                obj = getattr(core.app, "fault_omit", lambda o, opts: o)(obj, fault.opts)
            return Response(resp.status if kind != "wrong_shape" else 200, obj=obj,
                            headers=resp.headers, ctype=resp.ctype or "application/json")
        return resp

    def send(self, resp, req, fault=None):
        alog = self.server.core.answer_log if req is not None else None
        if alog is not None:
            self.send_logged(resp, req, fault, alog)
            return
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if resp.stream is not None and resp.body is None and resp.obj is None:
            if resp.ctype:
                self.send_header("Content-Type", resp.ctype)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if self.command == "HEAD":
                return
            buf = []
            size = 0
            for piece in resp.stream:
                buf.append(piece)
                size += len(piece)
                if size >= CHUNK:
                    self.write_chunk(b"".join(buf))
                    buf, size = [], 0
            if size:
                self.write_chunk(b"".join(buf))
            self.wfile.write(b"0\r\n\r\n")
            return
        body = resp.body if resp.body is not None else (dumps(resp.obj) if resp.obj is not None else b"")
        if body and resp.ctype:
            self.send_header("Content-Type", resp.ctype)
        if resp.status in (304,) or (resp.status < 200):
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        if self.command != "HEAD" and body and len(body) <= CHUNK:
            # one write for headers and body
            self._headers_buffer.append(b"\r\n" + body)
            self.flush_headers()
            return
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_logged(self, resp, req, fault, alog):
        """send() with the answer also written to the answer log (before the
        client has all of it, so the log is complete when the client is done)."""
        if resp.stream is not None and resp.body is None and resp.obj is None:
            pieces = []

            def tee(stream):
                for piece in stream:
                    pieces.append(piece)
                    yield piece
                # the last piece is out, the terminating chunk not yet
                alog.write(self.server.core.name, req, resp, b"".join(pieces), fault)
            resp.stream = tee(resp.stream)
            self.send(resp, None)
            return
        body = resp.body if resp.body is not None else (dumps(resp.obj) if resp.obj is not None else b"")
        alog.write(self.server.core.name, req, resp, body, fault)
        resp.body = body
        self.send(resp, None)

    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n" % len(data))
        self.wfile.write(data)
        self.wfile.write(b"\r\n")

    def send_truncated(self, resp):
        body = resp.materialise()
        self.send_response(resp.status)
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if resp.ctype:
            self.send_header("Content-Type", resp.ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:max(1, len(body) // 2)])
        self.wfile.flush()
        self.close_connection = True


class AnswerLog:
    """Every API answer as one JSON line: server, method, path, query,
    status, content type, the fault that shaped it (or null), the body as
    text and, when the request had one, the request body as text.  The e2e tests validate these against the vendors' schemas
    (tests/node/validate.js) and turn them into answer shapes
    (tests/sandbox/shapes.py).  Off unless sandbox.py --answer-log is given."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.f = open(path, "a", encoding="utf-8")

    def write(self, server, req, resp, body, fault):
        entry = {"server": server, "method": req.method, "path": req.path, "query": req.raw_query,
                 "status": resp.status, "ctype": resp.ctype if body else None,
                 "fault": fault.kind if fault is not None else None,
                 "body": body.decode("utf-8", errors="replace") if req.method != "HEAD" else ""}
        if req.body:
            entry["request"] = req.body.decode("utf-8", errors="replace")
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self.lock:
            self.f.write(line)
            self.f.flush()


def plant(obj, opts):
    """The "plant" fault: {"set": {"/json/pointer": value, ...}, "remove": ["/pointer", ...]}
    changes single places of an answer (a wrong property, a wrong type)."""
    def walk(pointer):
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
        if not parts:
            raise ValueError("plant: empty pointer")
        cur = obj
        for p in parts[:-1]:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur, parts[-1]
    for pointer, value in (opts.get("set") or {}).items():
        cur, last = walk(pointer)
        if isinstance(cur, list):
            cur[int(last)] = value
        else:
            cur[last] = value
    for pointer in opts.get("remove") or []:
        cur, last = walk(pointer)
        if isinstance(cur, list):
            del cur[int(last)]
        else:
            cur.pop(last, None)
    return obj


def default_empty(obj):
    """The same shape with every collection emptied."""
    if isinstance(obj, list):
        return []
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(v, list):
                out[k] = []
            elif isinstance(v, dict) and v and all(isinstance(x, dict) for x in v.values()):
                out[k] = {}
            elif k in ("total", "totalResults"):
                out[k] = 0
            else:
                out[k] = v
        return out
    return obj


def default_wrong_shape(obj):
    """Valid JSON, not the documented shape: arrays become objects and back."""
    if isinstance(obj, list):
        return {"data": obj}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(v, dict):
                out[k] = list(v.values())
            elif isinstance(v, list):
                out[k] = {"items": v}
            else:
                out[k] = v
        return {"result": out}
    return {"value": obj}


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, core, port=0, tls=None):
        self.core = core
        super().__init__(("127.0.0.1", port), Handler)
        self.scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            self.socket = ctx.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-answer is normal here

    @property
    def port(self):
        return self.server_address[1]

    def base_url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)


def start(core, port=0, tls=None):
    """Start a server thread; returns the server."""
    srv = SandboxHTTPServer(core, port, tls)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                         name="sandbox-" + core.name, daemon=True)
    t.start()
    return srv


class FixedWindow:
    """Requests per window per key, with the window's reset time."""

    def __init__(self, limit, window=60.0):
        self.limit = limit
        self.window = window
        self.lock = threading.Lock()
        self.state = {}

    def hit(self, key, now=None):
        """(allowed, limit, remaining, reset_epoch)."""
        now = time.time() if now is None else now
        with self.lock:
            start, n = self.state.get(key, (now, 0))
            if now - start >= self.window:
                start, n = now, 0
            reset = int(start + self.window + 0.999)
            if self.limit is None or self.limit <= 0:
                self.state[key] = (start, n + 1)
                return True, 0, 0, reset
            if n >= self.limit:
                return False, self.limit, 0, reset
            n += 1
            self.state[key] = (start, n)
            return True, self.limit, self.limit - n, reset

    def reset(self):
        with self.lock:
            self.state = {}


class TokenBucket:
    """rate per minute with a burst; rate None or <= 0 means unlimited."""

    def __init__(self, per_minute, burst):
        self.per_minute = per_minute
        self.burst = burst
        self.lock = threading.Lock()
        self.state = {}

    def hit(self, key, now=None):
        """(allowed, seconds until a token is free)."""
        if not self.per_minute or self.per_minute <= 0:
            return True, 0.0
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self.lock:
            tokens, last = self.state.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self.state[key] = (tokens - 1.0, now)
                return True, 0.0
            self.state[key] = (tokens, now)
            return False, (1.0 - tokens) / rate

    def reset(self):
        with self.lock:
            self.state = {}


def body_object(req):
    """The JSON body if it is an object, else raise ValueError."""
    obj = req.json()
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise ValueError("body must be a JSON object")
    return obj
