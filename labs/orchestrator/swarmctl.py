"""Driving the lab's swarm from a notebook or a check: deploy a stack, read its tasks, put load on it.

Everything goes through the lab handle (`lab.exec` on the manager, `lab.url` for Traefik), so it works the same
on a learner's machine and in the grading sandbox. It holds no answer: the stacks are yours.
"""

from __future__ import annotations

import json
import shlex
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

MANAGER = "manager"
NODES = ("manager", "worker")
STACK = "shop"
SERVICE = "shop_web"  # the stack `shop`'s service `web`: what every exercise deploys


class LabHandle(Protocol):
    """What this module needs of a lab: `msalab.Lab`, or the grading sandbox's remote lab."""

    def exec(self, service: str, command: list[str] | str) -> Any: ...

    def put_files(self, service: str, files: dict[str, str | bytes], dest: str) -> None: ...

    def url(self, service: str, port: str | None = None) -> str: ...


class SwarmError(RuntimeError):
    """The swarm refused something; the message is its own words."""


def docker(lab: LabHandle, *args: str, node: str = MANAGER) -> str:
    """`docker ARGS` on a node (the manager by default); its output, or SwarmError with what it said."""
    done = lab.exec(node, ["docker", *args])
    if done.exit_code != 0:
        raise SwarmError(f"`docker {' '.join(shlex.quote(a) for a in args)}` failed: {done.output.strip()}")
    return str(done.output)


def deploy(lab: LabHandle, stack: str, name: str = STACK) -> str:
    """`docker stack deploy` of a stack file's text on the manager: creates or updates its services."""
    lab.put_files(MANAGER, {f"{name}.yml": stack}, "/tmp")
    return docker(lab, "stack", "deploy", "--prune", "--compose-file", f"/tmp/{name}.yml", name)


def remove(lab: LabHandle, name: str = STACK, timeout: float = 30) -> None:
    """Remove a stack and wait until the swarm has forgotten its services. Their last containers may still be
    draining for a second or two; a new deployment does not need to wait for them."""
    lab.exec(MANAGER, ["docker", "stack", "rm", name])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = lab.exec(
            MANAGER, ["docker", "service", "ls", "-q", "--filter", f"label=com.docker.stack.namespace={name}"]
        )
        if not left.output.strip():
            return
        time.sleep(0.3)


def inspect(lab: LabHandle, service: str = SERVICE) -> dict[str, Any]:
    """The service as the swarm keeps it (`docker service inspect`): its spec, and the state of its update."""
    out = docker(lab, "service", "inspect", service)
    # The exec's output mixes in stderr: a busy engine may warn before the JSON starts.
    start = out.find("[")
    if start < 0:
        raise SwarmError(f"`docker service inspect {service}` gave no JSON: {out.strip()[:200]}")
    found = json.JSONDecoder().raw_decode(out[start:])[0]
    return dict(found[0])


def exists(lab: LabHandle, service: str = SERVICE) -> bool:
    return lab.exec(MANAGER, ["docker", "service", "inspect", service]).exit_code == 0


@dataclass(frozen=True)
class Task:
    id: str
    name: str
    image: str
    node: str  # the lab service it runs on: manager or worker
    desired: str  # Running, Shutdown, ...
    state: str  # "Running 3 seconds ago", "Starting ...", "Failed ..."
    error: str

    @property
    def running(self) -> bool:
        return self.desired == "Running" and self.state.startswith("Running")


def node_names(lab: LabHandle) -> dict[str, str]:
    """Swarm node hostname -> the lab service that is that node."""
    return {lab.exec(n, ["hostname"]).output.strip(): n for n in NODES}


def tasks(lab: LabHandle, service: str = SERVICE, names: dict[str, str] | None = None) -> list[Task]:
    """The service's tasks that are meant to run or still run (not its history)."""
    names = names or node_names(lab)
    out = docker(
        lab, "service", "ps", service, "--no-trunc", "--filter", "desired-state=running", "--format", "{{json .}}"
    )
    found = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue  # a warning from a busy engine, not a task
        t = json.loads(line)
        found.append(
            Task(
                t["ID"],
                t["Name"],
                t["Image"].split("@")[0],
                names.get(t["Node"], t["Node"]),
                t["DesiredState"],
                t["CurrentState"],
                t["Error"],
            )
        )
    return found


def running(lab: LabHandle, service: str = SERVICE) -> list[Task]:
    return [t for t in tasks(lab, service) if t.running]


def update_state(lab: LabHandle, service: str = SERVICE) -> str:
    """The state of the service's last update: "" (none yet), updating, completed, rollback_started, ..."""
    try:
        return str(inspect(lab, service).get("UpdateStatus", {}).get("State", ""))
    except (SwarmError, ValueError):
        return ""  # a manager too busy to answer right now: unknown, ask again


def wait_until(
    what: str, condition: Callable[[], bool], timeout: float, every: float = 0.5, show: bool = False
) -> float:
    """Poll `condition` until it holds; returns the seconds it took, or raises TimeoutError naming `what`.
    `show` draws a progress bar of the seconds waited (in a notebook)."""
    started = time.monotonic()
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=round(timeout), desc=what, unit="s", bar_format="{desc}: {n:.0f} s waited (at most {total} s)")
    try:
        while not condition():
            waited = time.monotonic() - started
            if waited > timeout:
                raise TimeoutError(f"{what}: not within {timeout:.0f} s")
            if bar is not None:
                bar.n = round(waited)
                bar.refresh()
            time.sleep(every)
        return time.monotonic() - started
    finally:
        if bar is not None:
            bar.close()


def converged(lab: LabHandle, replicas: int, version: str | None = None, service: str = SERVICE) -> bool:
    """`replicas` tasks running (all of `version`, if given), and none starting or stopping."""
    now = tasks(lab, service)
    up = [t for t in now if t.running and (version is None or t.image.endswith(f":{version}"))]
    return len(up) == replicas == len(now)


def served(url: str) -> bool:
    """Whether Traefik answers `url` with 200 now (it learns of a new service's tasks within a second or so,
    longer on a busy machine; until then it answers 404)."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def kill_task(lab: LabHandle, task: Task) -> None:
    """SIGKILL the container of one task on its node, as a crash would."""
    lab.exec(task.node, f"docker kill $(docker ps -q -f label=com.docker.swarm.task.id={task.id})")


# ---- load: what users see while the swarm works -------------------------------------------------------------
@dataclass
class Load:
    """Requests sent to Traefik, one after another from a few users: (seconds since start, status, version)."""

    url: str
    users: int = 4
    results: list[tuple[float, int, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _user(self, started: float) -> None:
        # A slow answer is not a failed one: on a busy 2-core machine a request can wait seconds for the CPU.
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                sent = time.monotonic()
                try:
                    r = client.get(self.url)
                    version = (
                        r.json().get("version", "?") if r.headers.get("content-type") == "application/json" else "?"
                    )
                    status = r.status_code
                except (httpx.HTTPError, ValueError):
                    status, version = 0, "?"  # no answer at all: refused, reset or timed out
                self.results.append((sent - started, status, version))
                time.sleep(0.01)

    @property
    def sent(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for _, status, _ in self.results if status != 200)

    def failures(self) -> str:
        """What the failed requests got, most common first, and when (seconds since the load began):
        "502 x4; no answer x2; 3.1-4.0 s" ("" when none failed). When tells a gap from scattered errors."""
        failed = [(t, status) for t, status, _ in self.results if status != 200]
        if not failed:
            return ""
        problems = []  # pieces of a message: each is translated where the message is (msalab.check_messages)
        for status, n in Counter(status for _, status in failed).most_common():
            problems.append(f"no answer x{n}" if status == 0 else f"{status} x{n}")
        times = [t for t, _ in failed]
        problems.append(f"{min(times):.1f}-{max(times):.1f} s")
        return "; ".join(problems)


@contextmanager
def load(url: str, users: int = 4) -> Iterator[Load]:
    """Put steady load on `url` while the block runs; the Load it yields holds every request's outcome."""
    measured = Load(url, users)
    started = time.monotonic()
    threads = [threading.Thread(target=measured._user, args=(started,), daemon=True) for _ in range(users)]
    for t in threads:
        t.start()
    try:
        yield measured
    finally:
        measured._stop.set()
        for t in threads:
            t.join(5)
