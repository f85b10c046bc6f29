"""The labs this Python process works with: the one it started, or the one a grader handed it."""

from __future__ import annotations

import os

from msalab.lab import Lab

# Set by the grader for the notebook's kernel: msalab.up() then attaches to the grader's lab instead of
# starting a second one, and lab.down() leaves it to the grader.
PROVIDED_ENV = "MSALAB_PROVIDED_SESSION"

_current: dict[str, Lab] = {}


def provided_session() -> str | None:
    return os.environ.get(PROVIDED_ENV) or None


def remember(lab: Lab) -> Lab:
    _current[lab.name] = lab
    return lab


def current(name: str) -> Lab | None:
    """The lab `name` of this process; else the one a grader provides; else none."""
    lab = _current.get(name)
    if lab is not None:
        return lab
    session = provided_session()
    if session:
        try:
            return remember(Lab.from_engine(name, session, provided=True))
        except Exception:
            return None
    return None


def forget(lab: Lab) -> None:
    if _current.get(lab.name) is lab:
        del _current[lab.name]
