"""Benchmark: where the time of grading one submission goes, on a warm lab as `msalab grade` does. Not a test.

The chapter's solved notebook is graded once to warm the lab up, then `--runs` more times; each run's wall time
is split into its phases (deploying each answer, starting the answer box, the checks' process, resetting the lab
afterwards) and the checks' own seconds are listed, slowest first. The figures are shares of the same run's wall
time, so they read the same on a busy machine as on a quiet one.

Usage: .venv/bin/python bench/grading_profile.py [CHAPTER] [--runs N] [--top K]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat

from msalab import answers, checking, grader, notebooks, runtime, sandbox
from msalab.grader import Limits, grade_one

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone

spent: dict[str, float] = defaultdict(float)


def timed(phase: Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[phase(*args, **kwargs)] += time.monotonic() - started

    return wrapper


def timed_context(phase: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Times only the entering of a context manager (starting the answer box), not what runs inside it."""

    @contextlib.contextmanager
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started = time.monotonic()
        with fn(*args, **kwargs) as value:
            spent[phase] += time.monotonic() - started
            yield value

    return wrapper


def instrument() -> None:
    answers.deploy = timed(lambda lab, ex, *a, **k: f"deploy {ex.id}", answers.deploy)
    runtime.reset = timed(lambda *a, **k: "reset the lab afterwards", runtime.reset)
    checking.run_checks = timed(lambda *a, **k: "checks (their process, all of them)", checking.run_checks)
    sandbox.answer_box = timed_context("start the answer box", sandbox.answer_box)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapter", nargs="?", default="08-backing-services")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    instrument()
    nb = notebooks.load_chapter(args.chapter)[1]
    limits = Limits(reuse_labs=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "solved.ipynb"
        nbformat.write(notebooks.with_answers(nb, notebooks.reference_answers(nb)), path)
        release = grader.student_release()
        started = time.monotonic()
        warm = grade_one(path, limits, args.chapter, release)
        print(f"{args.chapter}: warm-up grading (starts the lab) {time.monotonic() - started:.1f} s, {warm.total:g}")
        spent.clear()
        checks: dict[str, float] = defaultdict(float)
        wall = 0.0
        for _ in range(args.runs):
            started = time.monotonic()
            outcome = grade_one(path, limits, args.chapter, release)
            wall += time.monotonic() - started
            assert outcome.total == outcome.max_total, (outcome.total, outcome.problems)
            for scored in outcome.exercises.values():
                for c in scored.checks:
                    checks[f"{c.exercise} {c.name}"] += c.seconds or 0.0
        grader.release_warm_labs()
    runs = args.runs
    print(f"{runs} gradings of the solved notebook on the warm lab: {wall / runs:.1f} s each\n")
    print("phase | seconds | share of the grading")
    print("--- | --- | ---")
    for phase, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"{phase} | {seconds / runs:.1f} | {seconds / wall:.0%}")
    print(f"everything else | {(wall - sum(spent.values())) / runs:.1f} | {1 - sum(spent.values()) / wall:.0%}")
    print("\ncheck | seconds | share of the grading")
    print("--- | --- | ---")
    for name, seconds in sorted(checks.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"{name} | {seconds / runs:.1f} | {seconds / wall:.0%}")


if __name__ == "__main__":
    main()
