"""A production slot (blue or green): it runs one image of the shop at a time, on port 8000.

Its agent, on port 9000, is how a release reaches the slot (what a container runtime's API is to a deployer):
  GET  /status           what runs here: the reference deployed, the image's digest and commit, and its state
  POST /deploy {"image": "registry:5000/shop@sha256:..." or "registry:5000/shop:TAG"}
                         pull that image, stop the app, start the new one; answers at once, with state
                         "starting" ("running" once the app answers its /health, "failed" if it died)
The slot remembers the reference it was given: after a restart it pulls that reference again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

import registry

SLOT = os.environ.get("SLOT", "blue")
STATE = Path("/var/lib/slot")
RECORD = STATE / "deployed.json"
(STATE / "images").mkdir(parents=True, exist_ok=True)
api = FastAPI(title=f"slot {SLOT}")
lock = threading.Lock()
current: dict[str, Any] = {"image": None, "digest": None, "revision": None, "state": "empty", "since": time.time()}
process: subprocess.Popen[bytes] | None = None


class Deploy(BaseModel):
    image: str


def _healthy(revision: str) -> bool:
    """The app on port 8000 answers its /health, and it is the new one (the old one may still be going)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:8000/health", timeout=1) as r:
            return r.status == 200 and json.load(r).get("revision") == revision
    except (OSError, ValueError):
        return False


def _watch(proc: subprocess.Popen[bytes]) -> None:
    """Follow the app until it answers /health (running) or exits (failed)."""
    while proc is process:
        if proc.poll() is not None:
            current["state"] = "failed"
            return
        if current["state"] == "starting" and _healthy(current["revision"]):
            current["state"] = "running"
        time.sleep(0.1)


def deploy(ref: str) -> dict[str, Any]:
    global process
    with lock:
        target = STATE / "images" / str(time.monotonic_ns())
        image = registry.pull(ref, target)
        if process is not None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()  # gone for sure, so the new app gets port 8000
        env = {**os.environ, "REVISION": image.revision, "SLOT": SLOT}
        process = subprocess.Popen(image.cmd, cwd=target, env=env)
        current.update(image=ref, digest=image.digest, revision=image.revision, state="starting", since=time.time())
        RECORD.write_text(json.dumps({"image": ref}))
        for old in (STATE / "images").iterdir():
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
        threading.Thread(target=_watch, args=(process,), daemon=True).start()
        return dict(current)


@api.on_event("startup")
def boot() -> None:
    ref = json.loads(RECORD.read_text())["image"] if RECORD.is_file() else os.environ.get("BOOT_IMAGE")
    if not ref:
        return

    def first() -> None:
        for _ in range(600):  # the registry or its first image may still be on the way
            try:
                deploy(ref)
                return
            except OSError:
                time.sleep(0.2)

    threading.Thread(target=first, daemon=True).start()


@api.get("/status")
def status() -> dict[str, Any]:
    return {"slot": SLOT, **current}


@api.get("/health")
def health() -> dict[str, Any]:
    if current["state"] != "running":
        raise HTTPException(503, f"the app is {current['state']}")
    return {"slot": SLOT, **current}


@api.post("/deploy")
def post_deploy(body: Deploy) -> dict[str, Any]:
    try:
        return {"slot": SLOT, **deploy(body.image)}
    except (OSError, ValueError, KeyError) as e:
        raise HTTPException(422, f"cannot pull {body.image}: {e}") from None
