"""Benchmark: does grading a class go faster with more workers than cores? Not a test.

Most of a check is waiting (for a redelivery, a timeout, a service to restart), not computing, so more workers
than the machine's cores may still shorten a batch. The same mixed class (see class_grading.py) is graded with
each worker count in turn as `msalab grade` does by default (warm labs, answers first); the verdicts must agree
submission by submission and the figure is each wall time against the first count's, measured in the same run.

Usage: .venv/bin/python bench/grading_workers.py [CHAPTER] [--copies N] [--workers 2 4 ...]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

from class_grading import make_class

from msalab.grader import Limits, grade_batch

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapter", nargs="?", default="08-backing-services")
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    args = parser.parse_args()
    print(f"{args.chapter}, {args.copies} submissions, {os.cpu_count()} cores")
    print("workers | seconds | per submission | vs first | 100 submissions | verdicts agree")
    print("--- | --- | --- | --- | --- | ---")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        make_class(args.chapter, args.copies, folder)
        first: tuple[float, dict[str, float]] | None = None
        for workers in args.workers:
            started = time.monotonic()
            out = Path(tmp) / f"out-{workers}"
            outcomes = grade_batch(folder.glob("*.ipynb"), out, Limits(reuse_labs=True), workers, args.chapter, True)
            took = time.monotonic() - started
            verdicts = {o.submission: o.total for o in outcomes}
            first = first or (took, verdicts)
            per = took / args.copies
            print(
                f"{workers} | {took:.0f} | {per:.1f} s | {first[0] / took:.2f}x | {per * 100 / 60:.0f} min | "
                f"{'yes' if verdicts == first[1] else f'NO: {verdicts} vs {first[1]}'}",
                flush=True,
            )


if __name__ == "__main__":
    main()
