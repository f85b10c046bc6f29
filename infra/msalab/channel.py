"""The narrow channel between a grading sandbox and the grader: lab actions on one lab, nothing else.

A sandboxed notebook has no Docker socket. What it may do to its lab (kill a service, read its logs, run a
command in it, ...) it asks the grader for over a Unix socket mounted into the sandbox; the grader acts on
that submission's lab only and refuses everything else with a message. One JSON request per connection:

    {"op": "kill", "args": {"service": "back"}}  ->  {"ok": true, "value": null}
                                                  ->  {"ok": false, "error": "...", "kind": "NotReady"}
"""

from __future__ import annotations

import base64
import json
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from msalab import errors
from msalab.errors import MsalabError
from msalab.lab import Lab

SOCKET_NAME = "lab.sock"
MAX_REQUEST = 8 * 2**20  # a deployed answer or a copied file, never a flood
MAX_LOG_LINES = 2000
IO_TIMEOUT = 600.0  # the longest a lab action may take (a slow restart), then the sandbox's call fails


def _actions(lab: Lab) -> dict[str, Callable[..., Any]]:
    """Every operation a sandbox may ask for, each on a service of this lab (Lab checks the name)."""

    def logs(service: str, tail: int = 50) -> str:
        return lab.logs(service, tail=max(1, min(int(tail), MAX_LOG_LINES)))

    def exec_(service: str, command: list[str] | str) -> dict[str, Any]:
        done = lab.exec(service, command)
        return {"exit_code": done.exit_code, "output": done.output}

    def put_files(service: str, files: dict[str, str], dest: str) -> None:
        lab.put_files(service, {k: base64.b64decode(v) for k, v in files.items()}, dest)

    def copy_out(service: str, path: str) -> str:
        return base64.b64encode(lab.copy_out(service, path)).decode()

    return {
        "describe": lambda: {"lab": lab.name, "session": lab.session},
        "kill": lambda service: lab.kill(service),
        "stop": lambda service, timeout=5: lab.stop(service, timeout=int(timeout)),
        "start": lambda service, wait=True: lab.start(service, wait=bool(wait)),
        "restart": lambda service, wait=True, timeout=5, ready_within=None: lab.restart(
            service, wait=bool(wait), timeout=int(timeout), ready_within=ready_within
        ),
        "pause": lambda service: lab.pause(service),
        "unpause": lambda service: lab.unpause(service),
        "wait_ready": lambda service: lab.wait_ready(service),
        "state": lambda service: lab.state(service),
        "states": lambda: lab.states(),
        "memory_mb": lambda: lab.memory_mb(),
        "logs": logs,
        "exec": exec_,
        "put_files": put_files,
        "copy_out": copy_out,
    }


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.connection.settimeout(IO_TIMEOUT)
        try:
            line = self.rfile.readline(MAX_REQUEST + 1)
            if len(line) > MAX_REQUEST:
                raise MsalabError("That request is too large for the grader's lab channel.")
            request = json.loads(line)
            op, args = str(request["op"]), dict(request.get("args") or {})
            action = self.server.actions.get(op)
            if action is None:
                raise MsalabError(f"Under grading, a notebook may not '{op}'; only its own lab's actions are served.")
            reply: dict[str, Any] = {"ok": True, "value": action(**args)}
        except MsalabError as e:
            reply = {"ok": False, "error": str(e), "kind": type(e).__name__}
        except (ValueError, KeyError, TypeError) as e:
            reply = {"ok": False, "error": f"The grader's lab channel could not read that request ({e}).", "kind": ""}
        except Exception as e:  # the engine's own words (a container gone, ...), as a lab action would raise them
            reply = {"ok": False, "error": f"{type(e).__name__}: {e}", "kind": ""}
        try:
            self.wfile.write(json.dumps(reply).encode() + b"\n")
        except OSError:
            pass  # the sandbox went away mid-call


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, actions: dict[str, Callable[..., Any]]) -> None:
        self.actions = actions
        super().__init__(path, _Handler)


class ChannelServer:
    """Serves `lab`'s actions on a socket in `folder` (the folder is what the sandbox mounts)."""

    def __init__(self, lab: Lab, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / SOCKET_NAME
        self._server = _Server(str(self.path), _actions(lab))
        # The sandbox runs as an unprivileged user: it must be able to connect, and nothing more.
        os.chmod(folder, 0o755)
        os.chmod(self.path, 0o666)
        self._thread = threading.Thread(target=self._server.serve_forever, name="msalab-channel", daemon=True)

    def __enter__(self) -> ChannelServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.path.unlink(missing_ok=True)


def call(socket_path: str, op: str, /, **args: Any) -> Any:
    """The sandbox's side: ask the grader for one lab action; raises what the action raised, as MsalabError."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(IO_TIMEOUT)
        try:
            s.connect(socket_path)
        except OSError as e:
            raise MsalabError(f"The grader's lab channel is not answering ({e}); the lab cannot be reached.") from None
        s.sendall(json.dumps({"op": op, "args": args}).encode() + b"\n")
        with s.makefile("rb") as f:
            line = f.readline()
    if not line:
        raise MsalabError(f"The grader's lab channel closed without answering '{op}'.")
    reply = json.loads(line)
    if reply.get("ok"):
        return reply.get("value")
    kind = getattr(errors, str(reply.get("kind") or ""), MsalabError)
    if not (isinstance(kind, type) and issubclass(kind, MsalabError)):
        kind = MsalabError
    raise kind(reply.get("error") or f"'{op}' failed")
