"""The shop's web service, as the orchestrator runs it: one small process per task, standard library only.

APP_VERSION (v1, v2, broken) is the release; each release image sets it. The service
- warms up for WARMUP_SECONDS (1 s) before it listens (as a real service loads caches), so a task that is started is
  not yet a task that can serve: only a health check tells the orchestrator when it can;
- answers GET / with its version and task name, GET /health with 200 while healthy;
- on SIGTERM stops reporting healthy, keeps serving for DRAIN_SECONDS (the proxy notices meanwhile), then exits;
- POST /sick makes its health check fail from then on (a hung process, as the orchestrator sees it);
- as `broken`, warms up and then fails every request and every health check.
"""

import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = os.environ.get("APP_VERSION", "v1")
PORT = int(os.environ.get("PORT", "8000"))
WARMUP = float(os.environ.get("WARMUP_SECONDS", "1"))
DRAIN = float(os.environ.get("DRAIN_SECONDS", "3"))
TASK = os.environ.get("TASK_NAME") or socket.gethostname()

state = {"healthy": VERSION != "broken", "draining": False, "served": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/health"):
            ok = state["healthy"] and not state["draining"]
            self._send(200 if ok else 503, {"healthy": ok, "version": VERSION, "task": TASK})
        elif VERSION == "broken":
            self._send(500, {"error": "this release is broken", "version": VERSION, "task": TASK})
        else:
            state["served"] += 1
            self._send(200, {"version": VERSION, "task": TASK, "served": state["served"]})

    def do_POST(self) -> None:
        if self.path.startswith("/sick"):
            state["healthy"] = False
            self._send(200, {"healthy": False, "task": TASK})
        else:
            self._send(404, {"error": "not found"})

    def log_message(self, *args: object) -> None:
        pass  # one line per request would drown the node's logs


def main() -> None:
    time.sleep(WARMUP)
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    server.daemon_threads = True

    def drain(*_: object) -> None:
        state["draining"] = True
        threading.Timer(DRAIN, server.shutdown).start()

    signal.signal(signal.SIGTERM, drain)
    print(f"shop {VERSION} listening on {PORT} as {TASK}", flush=True)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
