"""Benchmark: grading a class, today's way against the previous one, measured in the same run. Not a test.

A class of N submissions per chapter, mixed: a third solved, a third as shipped, a third partial (every other
exercise answered). Each batch is graded once per mode (MODES below: previous, warm, now) with the same workers.
The verdicts must agree submission by submission; the figure is the ratio of the first mode's wall time to the
last's, and the time a class of 100 would take at the last one's measured rate.

Usage: .venv/bin/python bench/class_grading.py [CHAPTER ...] [--copies N] [--workers W] [--modes MODE ...]
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


MODES = {
    # every submission's notebook executed in its sandbox, and a new lab for its checks
    "previous": Limits(execute_notebook=True, reuse_labs=False, skip_unanswered=False),
    # graded from the answers, each worker's lab reset between submissions, every check run
    "warm": Limits(execute_notebook=False, reuse_labs=True, skip_unanswered=False),
    # `msalab grade`'s default: as warm, and an answer that is still the starting code is not checked
    "now": Limits(reuse_labs=True),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapters", nargs="*", default=["00-welcome", "08-backing-services", "09-saga"])
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--modes", nargs="+", choices=list(MODES), default=list(MODES), help="the first is the baseline"
    )
    args = parser.parse_args()
    base = args.modes[0]
    print(f"{args.copies} submissions per chapter (solved, shipped, partial in turn), {args.workers} workers")
    print(
        "chapter | "
        + " | ".join(args.modes)
        + " | ratio (baseline / now) | now per submission | a class of 100, now | verdicts agree"
    )
    print("--- | " * (len(args.modes) + 4) + "---")
    for chapter in args.chapters:
        with tempfile.TemporaryDirectory() as tmp:
            subs = Path(tmp) / "subs"
            subs.mkdir()
            make_class(chapter, args.copies, subs)
            walls, totals = {}, {}
            for mode in args.modes:
                started = time.monotonic()
                outcomes = grade_batch(
                    sorted(subs.glob("*.ipynb")), Path(tmp) / mode, MODES[mode], args.workers, chapter, quiet=True
                )
                walls[mode] = time.monotonic() - started
                totals[mode] = {o.submission: o.total for o in outcomes}
            last = args.modes[-1]
            agree = all(totals[m] == totals[base] for m in args.modes)
            per = walls[last] / args.copies
            print(
                f"{chapter} | "
                + " | ".join(f"{walls[m]:.0f} s" for m in args.modes)
                + f" | {walls[base] / walls[last]:.2f}x | {per:.1f} s | {100 * per / 60:.0f} min | "
                + ("yes" if agree else "NO: " + str(totals)),
                flush=True,
            )


if __name__ == "__main__":
    main()
