"""Waiting until a container is ready, also after a restart (when its old log lines are still there)."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.error
import urllib.request

from docker.models.containers import Container

from msalab.errors import NotReady
from msalab.topology import Readiness

POLL_SECONDS = 0.1
MAX_PROBE_SECONDS = 0.5
LOG_TAIL = 20

# Checked inside the container, so a service that is not published can still be waited for.
_HTTP_PROBE = (
    "import sys, urllib.request\n"
    "try:\n"
    "    urllib.request.urlopen(sys.argv[1], timeout=2)\n"
    "except urllib.error.HTTPError as e:\n"
    "    sys.exit(0 if e.code < 500 else 1)\n"
    "except Exception:\n"
    "    sys.exit(1)\n"
)


class Cancelled(Exception):
    """The start was abandoned (Ctrl-C, or another container failed) while this one was waiting."""


def last_log_lines(container: Container, n: int = LOG_TAIL) -> str:
    try:
        return container.logs(tail=n).decode(errors="replace").rstrip()
    except Exception:
        return "(no logs: the container is gone)"


def wait_ready(
    container: Container,
    ready: Readiness,
    what: str,
    since: float | None = None,
    cancel: threading.Event | None = None,
) -> float:
    """Block until `container` is ready; returns the seconds waited. Raises NotReady with its last log lines.

    `since` (a Unix time) ignores log lines written before it, so a restarted container is not taken as ready
    on the strength of its previous run.
    """
    started = time.monotonic()
    deadline = started + ready.timeout
    interval = POLL_SECONDS
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(what)
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            raise NotReady(
                f"{what} stopped (exit code {code}) before it was ready; its last log lines are below, "
                f"fix the cause and start the lab again.\n{last_log_lines(container)}"
            )
        if container.status == "running" and _probe(container, ready, since):
            return time.monotonic() - started
        if time.monotonic() > deadline:
            raise NotReady(
                f"{what} was not ready after {ready.timeout:.0f} s (waiting for {describe(ready)}); its last "
                f"log lines are below, fix the cause and start the lab again.\n{last_log_lines(container)}"
            )
        time.sleep(interval)
        if ready.kind == "exec" or (ready.kind == "http" and published_port(container, ready.port) is None):
            # Each probe starts a process inside the container: probing a dozen booting containers every
            # 0.1 s would take the CPU they need to boot. Log polling is cheap and stays fast.
            interval = min(interval * 1.5, MAX_PROBE_SECONDS)


def describe(ready: Readiness) -> str:
    if ready.kind == "log":
        return f"the log line /{ready.pattern}/"
    if ready.kind == "http":
        return f"an HTTP answer on port {ready.port} at {ready.path}"
    if ready.kind == "exec":
        return f"`{' '.join(ready.command)}` to succeed"
    return "it to run"


def _probe(container: Container, ready: Readiness, since: float | None) -> bool:
    if ready.kind == "started":
        return True
    if ready.kind == "log":
        logs = container.logs(since=since) if since else container.logs()
        return re.search(ready.pattern, logs.decode(errors="replace"), re.MULTILINE) is not None
    if ready.kind == "http":
        published = published_port(container, ready.port)
        if published is not None:
            return _answers(f"http://127.0.0.1:{published}{ready.path}")
        url = f"http://127.0.0.1:{ready.port}{ready.path}"
        return container.exec_run(["python3", "-c", _HTTP_PROBE, url]).exit_code == 0
    if ready.kind == "exec":
        return container.exec_run(list(ready.command)).exit_code == 0
    raise ValueError(f"unknown readiness kind {ready.kind}")


def published_port(container: Container, port: int | None) -> int | None:
    """The loopback port on this machine that `port` of the container is published on, if it is."""
    bindings = (container.attrs.get("NetworkSettings", {}).get("Ports") or {}).get(f"{port}/tcp") or []
    for binding in bindings:
        if binding.get("HostIp") in ("127.0.0.1", "") and binding.get("HostPort"):
            return int(binding["HostPort"])
    return None


# Straight to the loopback port, whatever proxy the environment names.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(url: str) -> bool:
    """What the in-container probe decides, asked from this machine through the published port: a server
    error or no answer is not ready, any other answer is. Far cheaper than starting a process in the container."""
    try:
        _direct.open(url, timeout=2).close()
    except urllib.error.HTTPError as e:
        return e.code < 500
    except (OSError, ValueError, http.client.HTTPException):
        return False
    return True


def summary(message: str) -> str:
    """One line from a NotReady message: "<what> stopped (exit code 1) before it was ready: <its last log line>"."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    head = lines[0].split("; its last log lines")[0] if lines else "it did not start"
    return f"{head}: {lines[-1][:300]}" if len(lines) > 1 else head
