"""Images into a Docker engine that runs inside a lab container (an orchestrator's node), with no registry.

Real clusters pull from a registry; a lab has none it could trust to be reachable, so the images the outer
engine already has are streamed in: `docker save` on the outside piped into `docker load` inside (what
`kind load docker-image` does for Kubernetes in Docker). Inside, each image also gets the tag "<key>:lab", so a
lab's files name it the same way whichever family (official, offline) the outer engine holds.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Mapping
from typing import Any

from docker.models.containers import Container

from msalab import engine
from msalab.errors import NotReady

POLL_SECONDS = 0.3
LAB_TAG = "lab"


def save_stream(refs: list[str]) -> Iterator[bytes]:
    """`docker save` of several images as one tar stream (their common layers once)."""
    api = engine.client().api
    # The SDK's get_image() saves one image; the engine's endpoint takes several.
    response = api._get(api._url("/images/get"), params={"names": refs}, stream=True)
    api._raise_for_status(response)
    yield from response.iter_content(chunk_size=1 << 20)


def wait_for_engine(container: Container, what: str, timeout: float) -> float:
    """Block until the engine inside `container` answers `docker info`; returns the seconds waited."""
    started = time.monotonic()
    while True:
        container.reload()
        if container.status in ("exited", "dead"):
            raise NotReady(f"{what} stopped before its Docker engine answered.")
        if container.exec_run(["docker", "info", "--format", "{{.ID}}"]).exit_code == 0:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise NotReady(f"{what}: its Docker engine did not answer within {timeout:.0f} s.")
        time.sleep(POLL_SECONDS)


def load(container: Container, images: Mapping[str, str], what: str, timeout: float) -> float:
    """Load `images` (key -> outer reference) into the engine inside `container` and tag each "<key>:lab"."""
    if not images:
        return 0.0
    started = time.monotonic()
    wait_for_engine(container, what, timeout)
    api = engine.client().api
    exec_id = api.exec_create(container.id, ["docker", "load", "--quiet"], stdin=True)["Id"]
    sock: Any = api.exec_start(exec_id, socket=True)
    raw = getattr(sock, "_sock", sock)  # the SDK hands a SocketIO over a unix socket, a socket over TCP
    try:
        for chunk in save_stream(sorted(set(images.values()))):
            raw.sendall(chunk)
        raw.shutdown(socket.SHUT_WR)  # end of the archive: `docker load` reads to EOF
        output = _read_all(raw)
    finally:
        raw.close()
    code = api.exec_inspect(exec_id).get("ExitCode")
    if code != 0:
        raise NotReady(f"{what}: `docker load` inside it failed (exit code {code}): {output.strip()[-300:]}")
    for key, ref in images.items():
        tagged = container.exec_run(["docker", "tag", ref, f"{key}:{LAB_TAG}"])
        if tagged.exit_code != 0:
            raise NotReady(f"{what}: tagging {ref} as {key}:{LAB_TAG} inside it failed: {tagged.output!r}")
    return time.monotonic() - started


def _read_all(raw: Any) -> str:
    chunks = []
    while True:
        data = raw.recv(65536)
        if not data:
            return b"".join(chunks).decode(errors="replace")
        chunks.append(data)
