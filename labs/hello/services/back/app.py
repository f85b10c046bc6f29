"""The back service: answers greetings. It is only reachable on the lab network."""

import os
import socket

from fastapi import FastAPI
from greeting import greeting as make_greeting

app = FastAPI(title="back")
STARTED_AS = socket.gethostname()


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/greeting/{name}")
def greeting(name: str) -> dict[str, str]:
    return {"greeting": make_greeting(name), "answered_by": STARTED_AS, "pid": str(os.getpid())}
