"""An SMTP sink: accepts every mail on port 1025 (lab network only) and keeps it, so you can read it.

GET /messages on port 8025 lists the captured mail as JSON; DELETE /messages empties the box.
"""

import json
import signal
import sys
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

MAILBOX: list[dict] = []
LOCK = threading.Lock()


class KeepEverything:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        body = mail.get_body(preferencelist=("plain",))
        with LOCK:
            MAILBOX.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "subject": str(mail["subject"] or ""),
                    "body": body.get_content() if body is not None else "",
                    "received": time.time(),
                }
            )
        print(f"mail to {', '.join(envelope.rcpt_tos)}: {mail['subject']}", flush=True)
        return "250 Message accepted for delivery"


class Api(BaseHTTPRequestHandler):
    def _json(self, code: int, data: object) -> None:
        raw = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self):  # noqa: N802
        if self.path.rstrip("/") != "/messages":
            return self._json(404, {"detail": "try GET /messages"})
        with LOCK:
            return self._json(200, list(MAILBOX))

    def do_DELETE(self):  # noqa: N802
        with LOCK:
            removed = len(MAILBOX)
            MAILBOX.clear()
        return self._json(200, {"deleted": removed})

    def log_message(self, *args):  # keep the container's log for mail, not for every poll
        pass


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    smtp = Controller(KeepEverything(), hostname="0.0.0.0", port=1025)
    smtp.start()
    print("SMTP sink on :1025, mailbox on http://:8025/messages", flush=True)
    ThreadingHTTPServer(("0.0.0.0", 8025), Api).serve_forever()
