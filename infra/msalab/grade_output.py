"""What `msalab grade` writes: per-submission JSON, a class CSV, Gradescope results.json, readable feedback.

The feedback and Gradescope name each check by its title, and say what it saw, as language.current() reads them
(MSALAB_LANG=ko when grading a Korean class: check_titles.py, check_messages.py); the JSON and CSV keep the English
record.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from msalab import check_messages
from msalab.class_summary import as_markdown
from msalab.language import say

if TYPE_CHECKING:
    from msalab.grader import Outcome


def write_outputs(outcomes: list[Outcome], out: Path) -> None:
    for o in outcomes:
        (out / f"{o.submission}.json").write_text(json.dumps(o.to_json(), indent=2))
        folder = out / o.submission
        folder.mkdir(exist_ok=True)
        (folder / "results.json").write_text(json.dumps(gradescope(o), indent=2))
        (folder / "feedback.md").write_text(feedback(o))
    write_csv(outcomes, out / "grades.csv")
    (out / "summary.md").write_text(as_markdown(outcomes))


def write_csv(outcomes: list[Outcome], path: Path) -> None:
    exercise_ids = sorted({ex for o in outcomes for ex in o.exercises})
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["submission", "total", "max_total", *exercise_ids])
        for o in outcomes:
            w.writerow(
                [
                    o.submission,
                    f"{o.total:g}",
                    f"{o.max_total:g}",
                    *(f"{o.exercises[e].score:g}" if e in o.exercises else "" for e in exercise_ids),
                ]
            )


def gradescope(o: Outcome) -> dict[str, object]:
    tests = [
        {
            "name": f"{r.exercise}: {r.shown_title}",
            "score": r.points,
            "max_score": r.max_points,
            "output": r.shown_message,
            "visibility": "after_published" if r.hidden else "visible",
        }
        for ex in o.exercises.values()
        for r in ex.checks
    ]
    return {
        "score": o.total,
        "execution_time": round(o.seconds, 1),
        "output": "\n".join(o.problems),
        "tests": tests,
    }


def feedback(o: Outcome) -> str:
    """The feedback a grader hands back, in the language the grader reads (language.current())."""
    lines = [
        say("feedback.title", "# Feedback for {submission}", submission=o.submission),
        "",
        say(
            "feedback.total",
            "Chapter {chapter}: **{total:g} of {max_total:g} points**.",
            chapter=o.chapter or "?",
            total=o.total,
            max_total=o.max_total,
        ),
        "",
    ]
    if o.problems:
        problems = [f"- {check_messages.course_shown(p)}" for p in o.problems]
        lines += [say("feedback.problems", "## What got in the way"), "", *problems, ""]
    for ex_id, ex in o.exercises.items():
        heading = "## {exercise}: {score:g} of {max:g}"
        lines += [say("feedback.exercise", heading, exercise=ex_id, score=ex.score, max=ex.max), ""]
        if not ex.checks:
            lines.append(say("feedback.no_check", "- No check could run for this exercise."))
        for r in ex.checks:
            mark = say("feedback.passed", "passed") if r.passed else say("feedback.failed", "failed")
            hidden = say("feedback.hidden", " (graded only)") if r.hidden else ""
            lines.append(f"- {mark}{hidden}: {r.shown_title} ({r.points:g}/{r.max_points:g}) — {r.shown_message}")
        lines.append("")
    return "\n".join(lines)
