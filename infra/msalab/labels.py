"""The Docker labels that mark what msalab started: the only record of a lab besides the engine itself."""

from __future__ import annotations

LAB = "msalab.lab"
SESSION = "msalab.session"
SERVICE = "msalab.service"
MODE = "msalab.mode"  # "kernel": goes with the Python process that started it; "shell": stays until `down`
OWNER_PID = "msalab.pid"
ENDPOINTS = "msalab.endpoints"  # JSON: {port name: {"port": host port, "url": url}}
TITLE = "msalab.title"


def filters(lab: str | None = None, session: str | None = None) -> dict[str, list[str]]:
    wanted = [LAB if lab is None else f"{LAB}={lab}"]
    if session is not None:
        wanted.append(f"{SESSION}={session}")
    return {"label": wanted}
