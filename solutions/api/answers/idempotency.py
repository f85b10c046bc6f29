import hashlib
import json

from fastapi import FastAPI

# key -> (fingerprint of the request, status, headers, body) of the first answer.
# In production this lives in a shared store (Redis, the database) and expires after a day or so.
DONE: dict[str, tuple[str, int, list, bytes]] = {}
RUNNING: set[str] = set()


def problem(status: int, title: str, detail: str) -> tuple[int, list, bytes]:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    return status, [(b"content-type", b"application/problem+json")], body


class Idempotency:
    """ASGI middleware: a POST with an Idempotency-Key is carried out once; a repeat gets the first answer."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key")
        if scope["type"] != "http" or scope["method"] != "POST" or not key:
            return await self.app(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        fingerprint = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        slot = f"{scope['path']} {key.decode(errors='replace')}"

        if slot in DONE:
            first, status, answer_headers, answer = DONE[slot]
            if first != fingerprint:
                return await reply(
                    send, *problem(422, "Unprocessable Content", "This Idempotency-Key was used with another request.")
                )
            return await reply(send, status, [*answer_headers, (b"idempotent-replayed", b"true")], answer)
        if slot in RUNNING:
            return await reply(send, *problem(409, "Conflict", "A request with this Idempotency-Key is still running."))

        RUNNING.add(slot)
        seen: dict = {"status": 500, "headers": [], "body": b""}

        async def replay_body():
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep(message) -> None:
            if message["type"] == "http.response.start":
                seen["status"], seen["headers"] = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                seen["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, keep)
        finally:
            RUNNING.discard(slot)
        if seen["status"] < 500:  # a failure may be retried for real
            DONE[slot] = (fingerprint, seen["status"], seen["headers"], seen["body"])


async def reply(send, status: int, headers: list, body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    app.add_middleware(Idempotency)
