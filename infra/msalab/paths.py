"""Where the course lives on disk."""

from __future__ import annotations

import os
from pathlib import Path


def course_root() -> Path:
    """The checkout (or student release) the package runs from; MSALAB_HOME overrides it."""
    override = os.environ.get("MSALAB_HOME")
    if override:
        return Path(override).resolve()
    # infra/msalab/paths.py -> the course root is two folders up from the package.
    return Path(__file__).resolve().parents[2]


def in_course(path: Path) -> str:
    """`path` as a sentence names it: relative to the course root when it is inside, else whole."""
    try:
        return path.relative_to(course_root()).as_posix()
    except ValueError:
        return str(path)


def labs_dir() -> Path:
    return course_root() / "labs"


def solutions_dir() -> Path:
    return course_root() / "solutions"


def chapters_dir() -> Path:
    return course_root() / "chapters"


def images_dir() -> Path:
    return course_root() / "infra" / "images"


def state_dir() -> Path:
    """Where a learner's own records (check results, hints shown) are kept: one folder for the whole course.

    MSALAB_STATE overrides it (tests, a classroom machine with a shared home); otherwise the XDG state folder,
    so that a fresh clone or a `git clean` of the course does not erase a learner's progress."""
    override = os.environ.get("MSALAB_STATE")
    if override:
        return Path(override).resolve()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "msalab"


def write_json_atomically(path: Path, body: object) -> None:
    """Write `body` as JSON to `path` through a temporary file beside it and a rename: a reader (another kernel,
    `msalab progress`) or a kernel killed mid-write sees the old file or the new one, never half of one."""
    import json
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
