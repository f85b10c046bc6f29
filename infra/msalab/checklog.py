"""A learner's own check results, kept in progress.json in the state folder (paths.state_dir()).

`msalab.check()` in a notebook and `msalab check` in a shell record each verdict here; the grader never does
(a grade must not write into a learner's folder), and neither does a notebook's kernel while it is graded."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msalab.paths import state_dir, write_json_atomically
from msalab.results import Report

FILE_NAME = "progress.json"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    """The last check of one exercise."""

    exercise: str
    passed: bool
    points: float
    max_points: float  # of the public checks: the hidden ones only the grader runs
    when: str  # ISO 8601, UTC
    problem: str = ""


def progress_file() -> Path:
    return state_dir() / FILE_NAME


def under_grading() -> bool:
    """True in the grader's sandbox and in a kernel an unsandboxed grader runs: neither may write here."""
    from msalab import session

    return session.sandboxed() or session.provided_session() is not None


def record(exercise_id: str, report: Report, now: datetime | None = None) -> bool:
    """Keep `report` as the last verdict of `exercise_id`; True when it was written.

    A report without results (no lab running, the checks could not start) is not a verdict and is not kept."""
    if under_grading() or not report.results:
        return False
    entry = Entry(
        exercise=exercise_id,
        passed=report.passed,
        points=report.points,
        max_points=report.max_points,
        when=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        problem=report.problem,
    )
    entries = load()
    entries[exercise_id] = entry
    try:
        _write(entries)
    except OSError:
        return False  # a full disk or a read-only home must not cost the learner the check's answer
    return True


def load(path: Path | None = None) -> dict[str, Entry]:
    """Every exercise's last verdict; an unreadable or foreign file reads as no records rather than an error."""
    source = path or progress_file()
    try:
        data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
        return {ex: Entry(**fields) for ex, fields in data.get("exercises", {}).items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _write(entries: dict[str, Entry]) -> None:
    # Atomic, so a reader never sees half a file. Two kernels checking at the same instant can still lose one
    # record (last writer wins); the next check of that exercise brings it back.
    body = {"version": VERSION, "exercises": {ex: asdict(e) for ex, e in sorted(entries.items())}}
    write_json_atomically(progress_file(), body)
