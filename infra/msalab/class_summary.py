"""A class at a glance after a batch: per exercise, how the scores spread and which check failed most often.

An instructor grading 100 submissions wants to know what to explain again on Monday, not to read 100 files."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from msalab.grader import Outcome


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: str
    max: float
    graded: int
    full: int
    partial: int
    zero: int
    mean: float
    median: float
    most_failed: str  # "check title (n submissions)", or "" when every check passed everywhere


def summarise(outcomes: list[Outcome]) -> list[ExerciseSummary]:
    exercise_ids = sorted({ex for o in outcomes for ex in o.exercises})
    rows = []
    for ex in exercise_ids:
        scored = [o.exercises[ex] for o in outcomes if ex in o.exercises]
        scores = [s.score for s in scored]
        top = max((s.max for s in scored), default=0.0)
        failed = Counter(r.title for s in scored for r in s.checks if not r.passed)
        most = ""
        if failed:
            title, n = failed.most_common(1)[0]
            most = f"{title} ({n} of {len(scored)})"
        rows.append(
            ExerciseSummary(
                exercise=ex,
                max=top,
                graded=len(scored),
                full=sum(1 for v in scores if top > 0 and v >= top),
                partial=sum(1 for v in scores if 0 < v < top),
                zero=sum(1 for v in scores if v <= 0),
                mean=statistics.fmean(scores) if scores else 0.0,
                median=statistics.median(scores) if scores else 0.0,
                most_failed=most,
            )
        )
    return rows


def as_markdown(outcomes: list[Outcome]) -> str:
    rows = summarise(outcomes)
    totals = [o.total for o in outcomes]
    top = max((o.max_total for o in outcomes), default=0.0)
    lines = [
        "# Class summary",
        "",
        f"{len(outcomes)} submission(s); total score: mean {statistics.fmean(totals) if totals else 0:.1f}, "
        f"median {statistics.median(totals) if totals else 0:g} of {top:g}; "
        f"{sum(1 for o in outcomes if o.problems)} with problems noted in their feedback.",
        "",
        "| exercise | max | full | partial | zero | mean | median | most failed check |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.exercise} | {r.max:g} | {r.full} | {r.partial} | {r.zero} | {r.mean:.1f} | {r.median:g} "
            f"| {r.most_failed or '-'} |"
        )
    return "\n".join(lines) + "\n"
