"""Benchmark: grading time per submission against its floor, measured in the same run. Not a test.

floor: the solved chapter executed with nbclient in a fresh kernel, starting its own lab as a learner's
       notebook does (no grading);
grade: `msalab grade` of N copies of the same solved chapter, with 1 and with 2 workers; per submission =
       wall time / N.

Usage: .venv/bin/python bench/grading.py [CHAPTER] [--copies N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from msalab import notebooks
from msalab.grader import Limits, grade_batch

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def floor(path: Path, workdir: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    started = time.monotonic()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapter", nargs="?", default="00-welcome")
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        solved = notebooks.solve(args.chapter, work / "solved.ipynb")
        subs = work / "subs"
        subs.mkdir()
        for i in range(args.copies):
            (subs / f"learner{i}.ipynb").write_bytes(solved.read_bytes())
        floors = [floor(solved, work) for _ in range(args.copies)]
        rows = []
        for workers in (1, 2):
            started = time.monotonic()
            outcomes = grade_batch(sorted(subs.glob("*.ipynb")), work / f"out{workers}", Limits(), workers, quiet=True)
            wall = time.monotonic() - started
            assert all(o.total == o.max_total > 0 for o in outcomes), [o.to_json() for o in outcomes]
            rows.append((workers, wall, wall / args.copies))
    per_floor = sum(floors) / len(floors)
    print(f"chapter {args.chapter}, {args.copies} submissions; floor = nbclient run of the solved chapter with its lab")
    print("workers | wall | per submission | floor per submission | ratio")
    print("--- | --- | --- | --- | ---")
    for workers, wall, per in rows:
        print(f"{workers} | {wall:.1f} s | {per:.1f} s | {per_floor:.1f} s | {per / per_floor:.2f}x")


if __name__ == "__main__":
    main()
