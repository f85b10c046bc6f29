"""Benchmark: the whole fair-grading matrix. Not a test.

For each chapter: the solved notebook, then every exercise's answer replaced in turn by each breakage (an endless
loop, an exit at import, a syntax error), each graded in the sandbox one at a time. Reported per case: the score
against what it should be at least (full marks less that exercise's points, those of checks that declare they
need it and those of exercises whose answers build on it), whether the broken exercise's feedback names a cause,
and the time against the solved grading's (the target: at most 1.5x, plus one limit).
Like a batch's worker, it grades on one warm lab reset between submissions (--fresh-labs: a new lab for each).

Usage: .venv/bin/python bench/fair_grading.py [CHAPTER ...] [--execute-notebook] [--fresh-labs]
       [--exercise EXERCISE ...] [--breakage BREAKAGE ...]
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
from msalab.checks import load_checks
from msalab.exercises import building_on
from msalab.grader import Limits, grade_one, release_warm_labs, student_release

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone

BREAKAGES = {
    "endless loop": "while True:\n    pass\n",
    "exit at import": "import os\nos._exit(1)\n",
    "syntax error": "def broken(:\n    pass\n",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapters", nargs="*", default=["00-welcome", "03-api-design"])
    parser.add_argument("--execute-notebook", action="store_true", help="run each notebook too (slower)")
    parser.add_argument("--fresh-labs", action="store_true", help="a new lab for every submission (slower)")
    parser.add_argument("--exercise", action="append", help="only this exercise's cases (repeatable)")
    parser.add_argument("--breakage", action="append", choices=sorted(BREAKAGES), help="only this breakage")
    args = parser.parse_args()
    limits = Limits(cell_timeout=60, execute_notebook=args.execute_notebook, reuse_labs=not args.fresh_labs)
    student_release()
    print("chapter | exercise | breakage | score | at least | cause named | seconds | vs solved | within bound")
    print("--- | --- | --- | --- | --- | --- | --- | --- | ---")
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in args.chapters:
            release_warm_labs()  # each chapter's solved grading starts its lab, as a batch's first submission does
            nb = notebooks.load_chapter(chapter)[1]
            specs = load_checks(nb.metadata["msalab"]["lab"], include_hidden=True)
            reference = notebooks.reference_answers(nb)
            path = Path(tmp) / f"{chapter}.ipynb"
            nbformat.write(notebooks.with_answers(nb, reference), path)
            if limits.reuse_labs:
                grade_one(path, limits, chapter)  # warms the lab: the baseline is a warm lab's grading too
            started = time.monotonic()
            solved = grade_one(path, limits, chapter)
            base = time.monotonic() - started
            print(f"{chapter} | (solved) | - | {solved.total:g} | {solved.max_total:g} | - | {base:.0f} | 1.00x | -")
            for exercise in (e for e in reference if not args.exercise or e in args.exercise):
                for breakage, code in BREAKAGES.items():
                    if args.breakage and breakage not in args.breakage:
                        continue
                    nbformat.write(notebooks.with_answers(nb, {**reference, exercise: code}), path)
                    started = time.monotonic()
                    outcome = grade_one(path, limits, chapter)
                    took = time.monotonic() - started
                    broken = outcome.exercises[exercise]
                    # Checks that declare they need the broken exercise too cannot pass (they say "Not checked"),
                    # nor those of an exercise whose answer builds on it (lab.toml: builds_on).
                    dependent = building_on(exercise)
                    needing = sum(
                        s.points
                        for s in specs
                        if s.exercise != exercise and (exercise in s.needs or s.exercise in dependent)
                    )
                    least = solved.total - broken.max - needing
                    named = broken.score == 0 and all(c.message and c.message != "passed" for c in broken.checks)
                    print(
                        f"{chapter} | {exercise} | {breakage} | {outcome.total:g} | {least:g} | "
                        f"{'yes' if named else 'NO'} | {took:.0f} | {took / base:.2f}x | "
                        f"{'yes' if took <= 1.5 * base + limits.deploy_timeout else 'NO'}",
                        flush=True,
                    )
        release_warm_labs()


if __name__ == "__main__":
    main()
