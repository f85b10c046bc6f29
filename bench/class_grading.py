"""Benchmark: grading a class, today's way against the previous one, measured in the same run. Not a test.

A class of N submissions per chapter, mixed: a third solved, a third as shipped, a third partial (every other
exercise answered). Each batch is graded twice with the same workers:
  previous: every submission's notebook executed in its sandbox, and a new lab for its checks
            (--execute-notebook --fresh-labs);
  now:      graded from the answers, each worker's lab reset between submissions (the default).
The verdicts must agree submission by submission; the figure is the ratio of the two wall times, and the time a
class of 100 would take at the measured rate.

Usage: .venv/bin/python bench/class_grading.py [CHAPTER ...] [--copies N] [--workers W]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import nbformat

from msalab import notebooks
from msalab.grader import Limits, grade_batch

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def make_class(chapter: str, copies: int, folder: Path) -> None:
    nb = notebooks.load_chapter(chapter)[1]
    reference = notebooks.reference_answers(nb)
    partial = {ex: code for i, (ex, code) in enumerate(reference.items()) if i % 2 == 0}
    kinds = {"solved": reference, "shipped": {}, "partial": partial}
    for i in range(copies):
        kind = list(kinds)[i % 3]
        nbformat.write(notebooks.with_answers(nb, kinds[kind]), folder / f"{kind}-{i:03d}.ipynb")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapters", nargs="*", default=["00-welcome", "08-backing-services", "09-saga"])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    modes = {
        "previous": Limits(execute_notebook=True, reuse_labs=False),
        "now": Limits(execute_notebook=False, reuse_labs=True),
    }
    print(f"{args.copies} submissions per chapter (solved, shipped, partial in turn), {args.workers} workers")
    print("chapter | previous | now | ratio | now per submission | a class of 100, now | verdicts agree")
    print("--- | --- | --- | --- | --- | --- | ---")
    for chapter in args.chapters:
        with tempfile.TemporaryDirectory() as tmp:
            subs = Path(tmp) / "subs"
            subs.mkdir()
            make_class(chapter, args.copies, subs)
            walls, totals = {}, {}
            for mode, limits in modes.items():
                started = time.monotonic()
                outcomes = grade_batch(
                    sorted(subs.glob("*.ipynb")), Path(tmp) / mode, limits, args.workers, chapter, quiet=True
                )
                walls[mode] = time.monotonic() - started
                totals[mode] = {o.submission: o.total for o in outcomes}
            agree = totals["previous"] == totals["now"]
            per = walls["now"] / args.copies
            print(
                f"{chapter} | {walls['previous']:.0f} s | {walls['now']:.0f} s | "
                f"{walls['previous'] / walls['now']:.2f}x | {per:.1f} s | {100 * per / 60:.0f} min | "
                f"{'yes' if agree else 'NO: ' + str(totals)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
