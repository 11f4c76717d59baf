#!/usr/bin/env python3
"""A loopback fault-injection proxy between the tools and the local AWS (tests only).

Usage:
  python3 tests/fault/proxy.py --upstream http://127.0.0.1:PORT --rules RULES.json \
      --ready-file READY.json [--stats-file STATS.json] [--parent-pid PID]

Listens on 127.0.0.1 (a free port), writes {"endpoint": "http://127.0.0.1:P"} to the ready
file once it accepts connections, and forwards every request to the upstream unchanged
(the Host header too, so SigV4 signatures still hold). RULES.json, re-read whenever it
changes (its counters then start again), is a list of rules; the first rule that matches a
request and has injections left decides its fate:

  {"action": "RegisterTaskDefinition",  # the operation (X-Amz-Target's suffix), or "*"
   "fault": "throttle",                 # throttle | 500 | 503 | reset | stall | truncate
   "times": 2,                          # injections before the rule is spent; -1: forever
   "when": "before",                    # before: the upstream never sees the request;
                                        # after: it is forwarded, and the answer is lost
   "stall": 40}                         # seconds a stall holds the connection

  throttle   HTTP 400, ThrottlingException (ECS's and SQS's JSON error shape)
  500, 503   HTTP 500 InternalFailure, HTTP 503 ServiceUnavailable
  reset      the connection is reset (RST), no answer
  stall      no answer for `stall` seconds (past the caller's deadline), then a reset
  truncate   the upstream's answer, its Content-Length intact, cut off halfway

Counts go to the stats file after every request: {"forwarded": {action: n},
"injected": {"action fault when": n}} (also GET /_fault/stats).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = {"throttle", "500", "503", "reset", "stall", "truncate"}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade", "te", "trailer"}


class Rules:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.mtime: float | None = None
        self.rules: list[dict] = []
        self.left: list[int] = []
        self.forwarded: dict[str, int] = {}
        self.injected: dict[str, int] = {}

    def _reload(self) -> None:
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            mtime, rules = None, []
        else:
            if mtime == self.mtime:
                return
            with open(self.path) as f:
                rules = json.load(f)
            for rule in rules:
                if rule.get("fault") not in FAULTS:
                    raise ValueError(f"unknown fault {rule.get('fault')!r}")
        self.mtime = mtime
        self.rules = rules
        self.left = [int(r.get("times", 1)) for r in rules]

    def pick(self, action: str) -> dict | None:
        with self.lock:
            self._reload()
            for i, rule in enumerate(self.rules):
                if rule.get("action", "*") in ("*", action) and self.left[i] != 0:
                    if self.left[i] > 0:
                        self.left[i] -= 1
                    key = f"{action} {rule['fault']} {rule.get('when', 'before')}"
                    self.injected[key] = self.injected.get(key, 0) + 1
                    return rule
            return None

    def count(self, action: str) -> None:
        with self.lock:
            self.forwarded[action] = self.forwarded.get(action, 0) + 1

    def stats(self) -> dict:
        with self.lock:
            return {"forwarded": dict(sorted(self.forwarded.items())), "injected": dict(sorted(self.injected.items()))}


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"

    def log_message(self, fmt: str, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.handle_any()

    def do_POST(self) -> None:
        self.handle_any()

    def handle_any(self) -> None:
        server: ProxyServer = self.server  # type: ignore[assignment]
        if self.path == "/_fault/stats":
            self.answer(200, json.dumps(server.rules.stats()).encode(), [("Content-Type", "application/json")])
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        action = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2] or "unknown"
        rule = server.rules.pick(action)
        if rule:
            server.write_stats()  # now: a stall may outlast the caller's interest
        fault = rule["fault"] if rule else None
        when = rule.get("when", "before") if rule else "before"
        try:
            if fault and when == "before" and fault != "truncate":
                self.inject(rule, None)
                return
            server.rules.count(action)
            status, headers, out = self.forward(server.upstream, body)
            if fault:
                self.inject(rule, (status, headers, out))
                return
            self.answer(status, out, headers)
        finally:
            server.write_stats()

    def forward(self, upstream: tuple[str, int], body: bytes):
        conn = http.client.HTTPConnection(upstream[0], upstream[1], timeout=120)
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() in HOP_BY_HOP or name.lower() in ("content-length", "expect"):
                    continue
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            out = response.read()
            headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}]
            return response.status, headers, out
        finally:
            conn.close()

    def answer(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def reset(self) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass

    def inject(self, rule: dict, upstream_answer) -> None:
        fault = rule["fault"]
        json_type = [("Content-Type", "application/x-amz-json-1.1")]
        if fault == "throttle":
            self.answer(400, error_body("ThrottlingException", "Rate exceeded (fault proxy)"),
                        [*json_type, ("x-amzn-ErrorType", "ThrottlingException")])
        elif fault == "500":
            self.answer(500, error_body("InternalFailure", "injected by the fault proxy"), json_type)
        elif fault == "503":
            self.answer(503, error_body("ServiceUnavailable", "injected by the fault proxy"), json_type)
        elif fault == "reset":
            self.reset()
        elif fault == "stall":
            deadline = time.monotonic() + float(rule.get("stall", 40))
            while time.monotonic() < deadline:
                time.sleep(0.2)
            self.reset()
        elif fault == "truncate":
            status, headers, out = upstream_answer if upstream_answer else self.forward(self.server.upstream, b"")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out[: len(out) // 2])
            self.wfile.flush()
            self.reset()


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, rules: Rules, stats_file: str | None):
        super().__init__(("127.0.0.1", 0), Handler)
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rules = rules
        self.stats_file = stats_file
        self.stats_lock = threading.Lock()

    def write_stats(self) -> None:
        if not self.stats_file:
            return
        with self.stats_lock:
            tmp = self.stats_file + ".tmp"
            with open(tmp, "w") as f:
                json.dump(self.rules.stats(), f)
            os.replace(tmp, self.stats_file)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream", required=True)
    p.add_argument("--rules", required=True)
    p.add_argument("--ready-file", required=True)
    p.add_argument("--stats-file")
    p.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = p.parse_args()
    server = ProxyServer(args.upstream, Rules(args.rules), args.stats_file)
    server.write_stats()
    if args.parent_pid:
        def watch() -> None:
            while True:
                try:
                    os.kill(args.parent_pid, 0)
                except OSError:
                    os._exit(0)
                time.sleep(1)
        threading.Thread(target=watch, daemon=True).start()
    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"endpoint": f"http://127.0.0.1:{server.server_address[1]}"}, f)
    os.replace(tmp, args.ready_file)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
