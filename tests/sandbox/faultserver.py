#!/usr/bin/python3
"""faultserver.py - a scriptable loopback HTTP/HTTPS server for fault injection.

    faultserver.py --port-file F [--lifetime 120] [--tls-cert C --tls-key K]

Listens on 127.0.0.1, port 0 (one thread per connection), then writes the
port to F atomically.  Exits after --lifetime seconds whatever happens.

Control routes (never scripted, never logged):
  POST /_script   body: a JSON list of responses; replaces the queue.
                  Each item (all keys optional):
                    status       HTTP status (200)
                    headers      {"Name": "value"} added to the response
                    body         string body ('{"ok":true}' when neither body
                                 nor body_size is given)
                    body_size    generate this many bytes instead of body
                    delay_ms     wait before sending the status line
                    stall_ms     pause mid-body (after stall_after bytes,
                                 default half the body)
                    stall_after  where the stall happens
                    truncate_to  announce the full Content-Length (or, with
                                 chunked, leave out the last chunk), send
                                 only this many body bytes, then close
                    reset        close the connection without a response
                                 (with an RST)
                    chunked      Transfer-Encoding: chunked, no Content-Length
                    path         only answer requests to this path (the first
                                 matching item of the queue is used)
  POST /_append   like /_script but appends to the queue
  GET  /_log      JSON list of the requests received: method, path, query,
                  headers (name -> value, names as sent), body_len, body
                  (text, first 64 KiB), time (seconds since start)
  POST /_reset    empty the queue and the log
When no item matches, the answer is 200 {"ok":true}.
"""

import argparse
import json
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

START = time.monotonic()
LOCK = threading.Lock()
QUEUE = []
LOG = []
LOG_BODY_MAX = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "faultserver/1"

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            sys.stderr.write("faultserver: " + (fmt % args) + "\n")

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > 64 * 1024 * 1024:
            raise ValueError("bad Content-Length")
        data = b""
        while len(data) < n:
            chunk = self.rfile.read(n - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def _send_simple(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _control(self, path, body):
        if path in ("/_script", "/_append") and self.command == "POST":
            try:
                items = json.loads(body or b"[]")
                if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                    raise ValueError("expected a JSON list of objects")
            except ValueError as e:
                self._send_simple(400, {"error": str(e)})
                return
            with LOCK:
                if path == "/_script":
                    QUEUE.clear()
                QUEUE.extend(items)
                n = len(QUEUE)
            self._send_simple(200, {"queued": n})
        elif path == "/_log" and self.command == "GET":
            with LOCK:
                snapshot = list(LOG)
            self._send_simple(200, snapshot)
        elif path == "/_reset" and self.command == "POST":
            with LOCK:
                QUEUE.clear()
                LOG.clear()
            self._send_simple(200, {"ok": True})
        else:
            self._send_simple(404, {"error": "unknown control route"})

    def _next_item(self, path):
        with LOCK:
            for i, item in enumerate(QUEUE):
                if "path" not in item or item["path"] == path:
                    return QUEUE.pop(i)
        return {}

    def _handle(self):
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except ValueError:
            self.close_connection = True
            return
        if path.startswith("/_"):
            self._control(path, body)
            return
        with LOCK:
            LOG.append({
                "method": self.command,
                "path": path,
                "query": query,
                "headers": {k: v for k, v in self.headers.items()},
                "body_len": len(body),
                "body": body[:LOG_BODY_MAX].decode("utf-8", "replace"),
                "time": round(time.monotonic() - START, 3),
            })
        self._respond(self._next_item(path))

    def _respond(self, item):
        delay = item.get("delay_ms", 0)
        if delay:
            time.sleep(delay / 1000.0)
        if item.get("reset"):
            # SO_LINGER with a zero timeout: close() sends an RST
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if "body_size" in item:
            n = int(item["body_size"])
            pattern = b"0123456789abcdef"
            body = (pattern * (n // len(pattern) + 1))[:n]
        elif "body" in item:
            body = str(item["body"]).encode()
        else:
            body = b'{"ok":true}'
        status = int(item.get("status", 200))
        headers = item.get("headers") or {}
        chunked = bool(item.get("chunked"))
        truncate = item.get("truncate_to")
        stall = item.get("stall_ms", 0)
        stall_after = int(item.get("stall_after", len(body) // 2))

        self.send_response(status)
        if not any(k.lower() == "content-type" for k in headers):
            self.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            self.send_header(k, str(v))
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif not any(k.lower() == "content-length" for k in headers):
            self.send_header("Content-Length", str(len(body)))
        if truncate is not None or chunked and stall:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD" or status in (204, 304):
            self.wfile.flush()
            return
        if truncate is not None:
            body = body[:int(truncate)]
            self.close_connection = True
        parts = [body]
        if stall:
            parts = [body[:stall_after], body[stall_after:]]
        for i, part in enumerate(parts):
            if i > 0:
                self.wfile.flush()
                time.sleep(stall / 1000.0)
            self._write_body(part, chunked)
        if chunked and truncate is None:
            self.wfile.write(b"0\r\n\r\n")  # a cut chunked body has no last chunk
        self.wfile.flush()

    def _write_body(self, data, chunked):
        step = 64 * 1024
        for off in range(0, len(data), step):
            piece = data[off:off + step]
            if chunked:
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            else:
                self.wfile.write(piece)

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, handler, tls_ctx, verbose):
        self.tls_ctx = tls_ctx
        self.verbose = verbose
        super().__init__(addr, handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the connection's thread so a client that
        # never completes it cannot block the accept loop.
        request.settimeout(30)
        if self.tls_ctx is not None:
            try:
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
        try:
            self.RequestHandlerClass(request, client_address, self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="scriptable loopback HTTP(S) test server")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=120.0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    tls_ctx = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            ap.error("--tls-cert and --tls-key go together")
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        tls_ctx.load_cert_chain(args.tls_cert, args.tls_key)

    srv = Server(("127.0.0.1", 0), Handler, tls_ctx, args.verbose)
    # a hard deadline: the server exits even if the test that started it died
    killer = threading.Timer(args.lifetime, lambda: os._exit(0))
    killer.daemon = True
    killer.start()
    write_port_file(args.port_file, srv.server_address[1])
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
