"""The back service: answers greetings. It is only reachable on the lab network."""

import os
import socket

from fastapi import FastAPI

app = FastAPI(title="back")
STARTED_AS = socket.gethostname()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/greeting/{name}")
def greeting(name: str) -> dict[str, str]:
    return {"greeting": f"Hello, {name}!", "answered_by": STARTED_AS, "pid": str(os.getpid())}
