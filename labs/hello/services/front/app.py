"""The front service: the only one published to the host. It calls `back` by name and talks to the broker."""

import os

import httpx
from fastapi import FastAPI, HTTPException
from kombu import Connection, Queue

BACK_URL = os.environ["BACK_URL"]
BROKER_URL = os.environ["BROKER_URL"]
EVENTS = Queue("hello-events", durable=True)

app = FastAPI(title="front")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/hello/{name}")
def hello(name: str) -> dict[str, str]:
    try:
        answer = httpx.get(f"{BACK_URL}/greeting/{name}", timeout=2.0)
        answer.raise_for_status()
    except httpx.HTTPError as e:
        # Synchronous calls fail when the callee is down: the caller must decide what its own answer is.
        raise HTTPException(status_code=503, detail=f"back is unreachable: {type(e).__name__}") from None
    return {**answer.json(), "via": "front"}


@app.post("/events/{text}", status_code=202)
def publish(text: str) -> dict[str, str]:
    with Connection(BROKER_URL, connect_timeout=3) as conn:
        conn.Producer().publish(
            {"text": text}, routing_key=EVENTS.name, declare=[EVENTS], delivery_mode="persistent", retry=True
        )
    return {"queued": text}


@app.get("/events")
def waiting() -> dict[str, int]:
    with Connection(BROKER_URL, connect_timeout=3) as conn:
        _, count, consumers = EVENTS(conn.default_channel).queue_declare()
    return {"waiting": count, "consumers": consumers}
