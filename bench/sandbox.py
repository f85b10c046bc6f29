"""Benchmark: what the grading sandbox costs. Not a test.

For each chapter, the solved notebook is graded `--runs` times with the sandbox and as many times without it
(`--no-sandbox`: submission code on the grading machine), alternating, one submission at a time, in the same
run. Reported: the median seconds per submission of each, and their ratio.

Usage: .venv/bin/python bench/sandbox.py [CHAPTER ...] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from msalab import notebooks
from msalab.grader import Limits, grade_one, student_release

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def timed(path: Path, chapter: str, limits: Limits) -> float:
    started = time.monotonic()
    outcome = grade_one(path, limits, chapter)
    assert outcome.total == outcome.max_total > 0, outcome.to_json()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapters", nargs="*", default=["00-welcome", "03-api-design"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    student_release()  # once per batch in `msalab grade`: not part of a submission's time
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in args.chapters:
            solved = notebooks.solve(chapter, Path(tmp) / f"{chapter}.ipynb")
            times: dict[str, list[float]] = {"sandbox": [], "none": []}
            for _ in range(args.runs):
                times["sandbox"].append(timed(solved, chapter, Limits()))
                times["none"].append(timed(solved, chapter, Limits(sandbox=None)))
            boxed, plain = statistics.median(times["sandbox"]), statistics.median(times["none"])
            rows.append((chapter, boxed, plain))
    print(f"median of {args.runs} gradings of the solved chapter, one submission at a time")
    print("chapter | sandboxed | unsandboxed | ratio")
    print("--- | --- | --- | ---")
    for chapter, boxed, plain in rows:
        print(f"{chapter} | {boxed:.1f} s | {plain:.1f} s | {boxed / plain:.2f}x")


if __name__ == "__main__":
    main()
