"""The labs this Python process works with: the one it started, or the one a grader handed it.

A grader hands a lab over in one of two ways: by session (an unsandboxed kernel on the grading machine finds
the lab on the engine), or through the channel of a grading sandbox (no engine there; see remote.py).
"""

from __future__ import annotations

import os
from typing import Any

from msalab.lab import Lab
from msalab.remote import CHANNEL_ENV, RemoteLab

# Set by the grader for the notebook's kernel: msalab.up() then attaches to the grader's lab instead of
# starting a second one, and lab.down() leaves it to the grader.
PROVIDED_ENV = "MSALAB_PROVIDED_SESSION"

_current: dict[str, Any] = {}


def provided_session() -> str | None:
    return os.environ.get(PROVIDED_ENV) or None


def sandboxed() -> bool:
    """True inside a grading sandbox: no Docker engine, the lab is reached through the grader's channel."""
    return bool(os.environ.get(CHANNEL_ENV))


def remember(lab: Any) -> Any:
    _current[lab.name] = lab
    return lab


def current(name: str) -> Any:
    """The lab `name` of this process (a Lab, or a RemoteLab in a sandbox); else the one a grader provides;
    else none."""
    lab = _current.get(name)
    if lab is not None:
        return lab
    if sandboxed():
        return remember(RemoteLab(name, os.environ[CHANNEL_ENV]))
    session = provided_session()
    if session:
        try:
            return remember(Lab.from_engine(name, session, provided=True))
        except Exception:
            return None
    return None


def forget(lab: Any) -> None:
    if _current.get(lab.name) is lab:
        del _current[lab.name]
