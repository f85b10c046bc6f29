"""The lab handle inside a grading sandbox: the same methods as `Lab`, carried out by the grader.

The sandbox sits on the lab's own network, so endpoints are the services' in-network addresses
(`http://front:8000`), not the ports published on the grading machine's loopback. Everything that needs the
Docker engine goes through the channel (see channel.py), which acts on this lab only.
"""

from __future__ import annotations

import base64
import html
from typing import Any

from msalab import channel
from msalab.errors import MsalabError
from msalab.lab import Endpoints, ExecResult
from msalab.topology import LabSpec, load_lab

CHANNEL_ENV = "MSALAB_CHANNEL"  # the socket's path inside the sandbox; set only there


class RemoteLab(Endpoints):
    provided = True  # the grader started it and removes it

    def __init__(self, name: str, socket_path: str) -> None:
        self._socket = socket_path
        graded = self._call("describe")
        if graded["lab"] != name:
            raise MsalabError(f"Under grading, this notebook's lab is '{graded['lab']}', not '{name}'.")
        self.spec: LabSpec = load_lab(name)
        self.session = str(graded["session"])

    def _call(self, op: str, **args: Any) -> Any:
        return channel.call(self._socket, op, **args)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def services(self) -> list[str]:
        return sorted(self.spec.services)

    # ---- endpoints: in-network addresses ----------------------------------------------------------------
    @property
    def endpoints(self) -> dict[str, dict[str, dict[str, Any]]]:
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for s in self.spec.services.values():
            host = (s.aliases or (s.name,))[0]
            out[s.name] = {p.name: {"port": p.port, "url": p.url.format(host=host, port=p.port)} for p in s.publish}
        return out

    def _known(self, service: str) -> str:
        if service not in self.spec.services:
            raise MsalabError(
                f"Lab '{self.name}' has no service '{service}'; its services are {', '.join(self.services)}."
            )
        return service

    # ---- actions, carried out by the grader ---------------------------------------------------------------
    def kill(self, service: str) -> None:
        self._call("kill", service=service)

    def stop(self, service: str, timeout: int = 5) -> None:
        self._call("stop", service=service, timeout=timeout)

    def start(self, service: str, wait: bool = True) -> float:
        return float(self._call("start", service=service, wait=wait))

    def restart(self, service: str, wait: bool = True, timeout: int = 5, ready_within: float | None = None) -> float:
        return float(self._call("restart", service=service, wait=wait, timeout=timeout, ready_within=ready_within))

    def pause(self, service: str) -> None:
        self._call("pause", service=service)

    def unpause(self, service: str) -> None:
        self._call("unpause", service=service)

    def wait_ready(self, service: str, since: float | None = None) -> float:
        return float(self._call("wait_ready", service=service))

    def state(self, service: str) -> str:
        return str(self._call("state", service=service))

    def states(self) -> dict[str, str]:
        return dict(self._call("states"))

    def logs(self, service: str, tail: int | str = 50) -> str:
        return str(self._call("logs", service=service, tail=2000 if tail == "all" else int(tail)))

    def exec(self, service: str, command: list[str] | str) -> ExecResult:
        done = self._call("exec", service=service, command=command)
        return ExecResult(int(done["exit_code"]), str(done["output"]))

    def memory_mb(self) -> dict[str, float]:
        return {k: float(v) for k, v in self._call("memory_mb").items()}

    def put_files(self, service: str, files: dict[str, str | bytes], dest: str) -> None:
        encoded = {k: base64.b64encode(v.encode() if isinstance(v, str) else v).decode() for k, v in files.items()}
        self._call("put_files", service=service, files=encoded, dest=dest)

    def copy_out(self, service: str, path: str) -> bytes:
        return base64.b64decode(self._call("copy_out", service=service, path=path))

    def container(self, service: str) -> Any:
        raise MsalabError(
            "Under grading, a notebook has no Docker engine: use the lab's methods (kill, start, logs, exec, ...)."
        )

    def down(self) -> None:
        from msalab import session

        session.forget(self)  # the grader removes the lab

    def __enter__(self) -> RemoteLab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    # ---- display -----------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, str]]:
        states = self.states()
        return [
            (s, states.get(s, "?"), ", ".join(e["url"] for e in self.endpoints[s].values()) or "lab network only")
            for s in self.services
        ]

    def __repr__(self) -> str:
        lines = [f"Lab '{self.name}' (session {self.session}, graded)"]
        lines += [f"  {s:<14} {st:<10} {u}" for s, st, u in self.rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td><code>{html.escape(s)}</code></td><td>{html.escape(st)}</td><td>{html.escape(u)}</td></tr>"
            for s, st, u in self.rows()
        )
        return (
            f"<b>Lab {html.escape(self.name)}</b> <small>session {self.session}, graded</small>"
            f"<table><tr><th>service</th><th>state</th><th>reachable at</th></tr>{body}</table>"
        )
