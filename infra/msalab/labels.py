"""The Docker labels that mark what msalab started: the only record of a lab besides the engine itself."""

from __future__ import annotations

import os

LAB = "msalab.lab"
SESSION = "msalab.session"
SERVICE = "msalab.service"
MODE = "msalab.mode"  # "kernel": goes with the Python process that started it; "shell": stays until `down`
OWNER_PID = "msalab.pid"
ENDPOINTS = "msalab.endpoints"  # JSON: {port name: {"port": host port, "url": url}}
TITLE = "msalab.title"
NAMESPACE = "msalab.namespace"

# Several users of one engine (a test run beside a developer, graders beside a class) each see and clean
# up only their own labs when they set a namespace; without one, every msalab lab is in view.
NAMESPACE_ENV = "MSALAB_NAMESPACE"


def namespace() -> str | None:
    return os.environ.get(NAMESPACE_ENV) or None


def filters(lab: str | None = None, session: str | None = None) -> dict[str, list[str]]:
    wanted = [LAB if lab is None else f"{LAB}={lab}"]
    if session is not None:
        wanted.append(f"{SESSION}={session}")
    ns = namespace()
    if ns is not None:
        wanted.append(f"{NAMESPACE}={ns}")
    return {"label": wanted}
