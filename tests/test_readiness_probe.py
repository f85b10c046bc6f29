"""The HTTP readiness probe asks a published service from this machine (no process started in its container)
and decides as the in-container probe does: any answer below 500 is ready, a server error or none is not."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from msalab import readiness
from msalab.topology import Readiness


class FakeContainer:
    """What the probe reads of a container: its published ports. Starting a process in it fails the test."""

    def __init__(self, ports: dict[str, Any]) -> None:
        self.attrs = {"NetworkSettings": {"Ports": ports}}

    def exec_run(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a published service was probed by starting a process in its container")


@pytest.fixture
def server() -> Iterator[dict[str, int]]:
    """A local server answering /status/<code> with that code; yields {"port": its port}."""
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(int(self.path.rsplit("/", 1)[-1]))
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    seen["port"] = httpd.server_address[1]
    yield seen
    httpd.shutdown()
    httpd.server_close()


def published(host_port: int) -> FakeContainer:
    return FakeContainer({"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(host_port)}]})


@pytest.mark.parametrize(("code", "ready"), [(200, True), (404, True), (401, True), (500, False), (503, False)])
def test_a_published_service_is_probed_from_this_machine(server: dict[str, int], code: int, ready: bool) -> None:
    probe = Readiness(kind="http", port=8000, path=f"/status/{code}")
    assert readiness._probe(published(server["port"]), probe, None) is ready  # type: ignore[arg-type]


def test_a_published_port_nobody_listens_on_is_not_ready() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    probe = Readiness(kind="http", port=8000, path="/health")
    assert readiness._probe(published(free), probe, None) is False  # type: ignore[arg-type]


def test_only_a_loopback_binding_of_that_port_counts() -> None:
    assert readiness.published_port(published(4242), 8000) == 4242  # type: ignore[arg-type]
    assert readiness.published_port(published(4242), 9000) is None  # type: ignore[arg-type]
    assert readiness.published_port(FakeContainer({"8000/tcp": None}), 8000) is None  # type: ignore[arg-type]
    elsewhere = FakeContainer({"8000/tcp": [{"HostIp": "10.1.2.3", "HostPort": "4242"}]})
    assert readiness.published_port(elsewhere, 8000) is None  # type: ignore[arg-type]
