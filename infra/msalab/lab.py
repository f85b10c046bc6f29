"""The handle on a running lab: where its endpoints are, faults to inject, logs, exec, teardown.

Everything it knows comes from the Docker engine's labels, so a notebook can attach to a lab that
`msalab up` started in a shell, and a crashed kernel's lab can still be found and removed.
"""

from __future__ import annotations

import html
import io
import json
import tarfile
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import docker.errors
from docker.models.containers import Container

from msalab import cleanup, engine, labels, readiness
from msalab.errors import MsalabError
from msalab.topology import LabSpec, load_lab


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    output: str


class Endpoints:
    """Where a lab's published services are: `url` and `port` over an `endpoints` table (for `Lab`, the
    grading machine's loopback; for the grading sandbox's RemoteLab, the lab network)."""

    name: str

    @property
    def endpoints(self) -> dict[str, dict[str, dict[str, Any]]]:
        raise NotImplementedError

    def _known(self, service: str) -> str:
        raise NotImplementedError

    def url(self, service: str, port: str | None = None) -> str:
        return str(self._endpoint(service, port)["url"])

    def port(self, service: str, port: str | None = None) -> int:
        return int(self._endpoint(service, port)["port"])

    def _endpoint(self, service: str, port: str | None) -> dict[str, Any]:
        published = self.endpoints.get(self._known(service), {})
        if not published:
            raise MsalabError(
                f"Service '{service}' of lab '{self.name}' publishes no port: it is reachable only on the lab "
                "network, which is the point; talk to it through a service that is published."
            )
        if port is None:
            return next(iter(published.values()))
        if port not in published:
            raise MsalabError(f"Service '{service}' publishes {', '.join(published)}, not '{port}'.")
        return published[port]


class Lab(Endpoints):
    def __init__(self, spec: LabSpec, session: str, containers: dict[str, Container], provided: bool = False) -> None:
        self.spec = spec
        self.session = session
        self.provided = provided  # handed over by a grader, which also removes it
        self._containers = containers
        self._finalizer: weakref.finalize[Any, Any] | None = None

    # ---- finding a lab --------------------------------------------------------------------------------
    @classmethod
    def from_engine(cls, name: str, session: str | None = None, provided: bool = False) -> Lab:
        found = engine.client().containers.list(all=True, filters=labels.filters(name, session))
        found = [c for c in found if labels.SERVICE in c.labels]  # not the grader's sandbox beside it
        if not found:
            raise MsalabError(f"Lab '{name}' is not running; start it with msalab.up('{name}').")
        sessions = {c.labels[labels.SESSION] for c in found}
        if len(sessions) > 1:
            raise MsalabError(
                f"Lab '{name}' runs {len(sessions)} times ({', '.join(sorted(sessions))}); "
                "name the session, or stop the others with `msalab down`."
            )
        session = sessions.pop()
        return cls(load_lab(name), session, {c.labels[labels.SERVICE]: c for c in found}, provided)

    def refresh(self) -> None:
        """Find this session's containers again (after some were recreated)."""
        found = engine.client().containers.list(all=True, filters=labels.filters(self.name, self.session))
        self._containers = {c.labels[labels.SERVICE]: c for c in found if labels.SERVICE in c.labels}

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def services(self) -> list[str]:
        return sorted(self._containers)

    @property
    def network(self) -> str:
        """The lab's own Docker network (a sidecar in another container's namespace has none of its own)."""
        for container in self._containers.values():
            networks = container.attrs["NetworkSettings"]["Networks"] or {}
            named = [n for n in networks if n not in ("bridge", "host", "none")]
            if named:
                return str(named[0])
        raise MsalabError(f"Lab '{self.name}' has no network of its own; start it again.")

    # ---- endpoints ------------------------------------------------------------------------------------
    @property
    def endpoints(self) -> dict[str, dict[str, dict[str, Any]]]:
        """service -> port name -> {"port": host port, "url": url}, for published ports only."""
        return {s: json.loads(c.labels.get(labels.ENDPOINTS, "{}")) for s, c in self._containers.items()}

    # ---- fault injection ------------------------------------------------------------------------------
    def kill(self, service: str) -> None:
        """SIGKILL: the process dies at once, mid-request, as in a crash."""
        self._ignore_not_running(self.container(service).kill)

    def stop(self, service: str, timeout: int = 5) -> None:
        """SIGTERM, then SIGKILL after `timeout` s: a clean shutdown."""
        self.container(service).stop(timeout=timeout)

    def start(self, service: str, wait: bool = True) -> float:
        """Start a stopped or killed container again; returns the seconds until it was ready."""
        since = time.time()
        self.container(service).start()
        return self.wait_ready(service, since) if wait else 0.0

    def restart(self, service: str, wait: bool = True, timeout: int = 5, ready_within: float | None = None) -> float:
        """Stop (SIGTERM, SIGKILL after `timeout` s) and start again; `ready_within` caps the service's own
        readiness limit (a warm restart needs less than a cold start on a busy machine)."""
        since = time.time()
        self.container(service).restart(timeout=timeout)
        return self.wait_ready(service, since, ready_within) if wait else 0.0

    def pause(self, service: str) -> None:
        """Freeze every process (cgroup freezer): the container keeps its sockets but answers nothing."""
        self.container(service).pause()

    def unpause(self, service: str) -> None:
        self.container(service).unpause()

    def wait_ready(self, service: str, since: float | None = None, within: float | None = None) -> float:
        ready = self.spec.services[service].ready
        if within is not None:
            ready = replace(ready, timeout=min(ready.timeout, within))
        return readiness.wait_ready(
            self.container(service), ready, f"Service '{service}' of lab '{self.name}'", since=since
        )

    @staticmethod
    def _ignore_not_running(action: Any) -> None:
        try:
            action()
        except docker.errors.APIError as e:
            if "is not running" not in str(e):
                raise

    # ---- looking inside ---------------------------------------------------------------------------------
    def state(self, service: str) -> str:
        c = self.container(service)
        c.reload()
        return str(c.status)

    def states(self) -> dict[str, str]:
        return {s: self.state(s) for s in self.services}

    def logs(self, service: str, tail: int | str = 50) -> str:
        return self.container(service).logs(tail=tail).decode(errors="replace")

    def exec(self, service: str, command: list[str] | str) -> ExecResult:
        cmd = ["sh", "-c", command] if isinstance(command, str) else command
        code, out = self.container(service).exec_run(cmd)
        return ExecResult(int(code), out.decode(errors="replace"))

    def memory_mb(self) -> dict[str, float]:
        """Memory each running container uses now, in MiB, as Docker counts it without the file cache the
        kernel can give back (cgroup v1 and v2 alike); a stopped container counts 0."""
        with ThreadPoolExecutor(max_workers=8) as pool:  # the engine takes about a second per sample
            return dict(zip(self.services, pool.map(self._memory_mb, self.services), strict=True))

    def _memory_mb(self, service: str) -> float:
        mem = self.container(service).stats(stream=False).get("memory_stats", {})
        stats = mem.get("stats", {})
        page_cache = stats.get("inactive_file", stats.get("cache", 0))
        return round(max(mem.get("usage", 0) - page_cache, 0) / 2**20, 1)

    def put_files(self, service: str, files: dict[str, str | bytes], dest: str) -> None:
        """Write files (relative name -> content) into a container, running or stopped."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for rel, content in files.items():
                data = content.encode() if isinstance(content, str) else content
                info = tarfile.TarInfo(name=str(Path(rel)))
                info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
                tar.addfile(info, io.BytesIO(data))
        self.container(service).put_archive(dest, buf.getvalue())

    def copy_out(self, service: str, path: str) -> bytes:
        """A file or folder of a container, as a tar archive (what `docker cp` gives)."""
        stream, _ = self.container(service).get_archive(path)
        return b"".join(stream)

    def container(self, service: str) -> Container:
        return self._containers[self._known(service)]

    def _known(self, service: str) -> str:
        if service not in self._containers:
            raise MsalabError(
                f"Lab '{self.name}' has no service '{service}'; its services are {', '.join(self.services)}."
            )
        return service

    # ---- teardown --------------------------------------------------------------------------------------
    def down(self) -> None:
        from msalab import session

        session.forget(self)
        if self.provided:
            return
        if self._finalizer is not None:
            self._finalizer()  # removes the containers and ends the watchdog, once
        else:
            cleanup.remove(self.name, self.session)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    # ---- display ---------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        out = []
        for service in self.services:
            urls = ", ".join(e["url"] for e in self.endpoints[service].values()) or "lab network only"
            try:
                state = self.state(service)
            except docker.errors.NotFound:
                state = "removed"
            out.append((service, state, urls))
        return out

    def __repr__(self) -> str:
        lines = [f"Lab '{self.name}' (session {self.session})"]
        lines += [f"  {s:<14} {st:<10} {u}" for s, st, u in self.rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(s)}</code></td><td>{html.escape(st)}</td><td>{html.escape(u)}</td></tr>"
            for s, st, u in self.rows()
        )
        return (
            f"<b>Lab {html.escape(self.name)}</b> <small>session {self.session}</small>"
            f"<table><tr><th>service</th><th>state</th><th>reachable at</th></tr>{body}</table>"
        )
