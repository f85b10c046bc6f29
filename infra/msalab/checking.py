"""Running checks from a notebook or the grader: always in a separate process (see checkrun.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from msalab import checklog, language
from msalab.answers import answers_dir
from msalab.exercises import find
from msalab.lab import Lab
from msalab.results import Report

CHECK_RUN_TIMEOUT = 600


def run_checks(
    lab: Lab,
    exercise_ids: list[str],
    answers: Path,
    include_hidden: bool,
    sandbox: str | None = None,
    replaced: dict[str, str] | None = None,
) -> Report:
    """Run checks in a process of their own; `sandbox` names the answer box where learner code runs, `replaced`
    the exercises whose answers the grader replaced by their starting code."""
    cmd = [
        sys.executable,
        "-m",
        "msalab.checkrun",
        "--lab",
        lab.name,
        "--session",
        lab.session,
        "--answers",
        str(answers),
    ]
    if include_hidden:
        cmd.append("--hidden")
    if sandbox:
        cmd += ["--sandbox", sandbox]
    if replaced:
        cmd += ["--replaced", json.dumps(replaced)]
    try:
        done = subprocess.run(cmd + exercise_ids, capture_output=True, text=True, timeout=CHECK_RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        return Report(problem=f"The checks did not finish within {CHECK_RUN_TIMEOUT} s; ask your instructor.")
    try:
        return Report.from_json(json.loads(done.stdout))
    except (json.JSONDecodeError, KeyError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Report(problem=f"The checks crashed ({tail}); ask your instructor.")


UNDER_GRADING = (
    "This notebook is being graded: every exercise's checks run after it, against a fresh lab with your answers."
)


def check_in_subprocess(exercise_id: str) -> Report:
    from msalab import session

    exercise = find(exercise_id)
    if session.sandboxed():
        return Report(problem=language.say("check.under_grading", UNDER_GRADING))
    lab = session.current(exercise.lab)
    if lab is None:
        english = "Lab '{lab}' is not running here: start it with msalab.up('{lab}')."
        return Report(problem=language.say("check.no_lab", english, lab=exercise.lab))
    report = run_checks(lab, [exercise.id], answers_dir(), include_hidden=False)
    checklog.record(exercise.id, report)  # the learner's progress table; never under grading (see checklog)
    return report
