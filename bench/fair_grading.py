"""Benchmark: the whole fair-grading matrix. Not a test.

For each chapter: the solved notebook, then every exercise's answer replaced in turn by each breakage (an endless
loop, an exit at import, a syntax error), each graded in the sandbox one at a time. Reported per case: the score
against what it should be at least (full marks less that exercise's points), whether the broken exercise's
feedback names a cause, and the time against the solved grading's (the target: at most 1.5x, plus one limit).

Usage: .venv/bin/python bench/fair_grading.py [CHAPTER ...] [--execute-notebook]
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
from msalab.grader import Limits, grade_one, student_release

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
    args = parser.parse_args()
    limits = Limits(cell_timeout=60, execute_notebook=args.execute_notebook)
    student_release()
    print("chapter | exercise | breakage | score | at least | cause named | seconds | vs solved")
    print("--- | --- | --- | --- | --- | --- | --- | ---")
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in args.chapters:
            nb = notebooks.load_chapter(chapter)[1]
            reference = notebooks.reference_answers(nb)
            path = Path(tmp) / f"{chapter}.ipynb"
            nbformat.write(notebooks.with_answers(nb, reference), path)
            started = time.monotonic()
            solved = grade_one(path, limits, chapter)
            base = time.monotonic() - started
            print(f"{chapter} | (solved) | - | {solved.total:g} | {solved.max_total:g} | - | {base:.0f} | 1.00x")
            for exercise in reference:
                for breakage, code in BREAKAGES.items():
                    nbformat.write(notebooks.with_answers(nb, {**reference, exercise: code}), path)
                    started = time.monotonic()
                    outcome = grade_one(path, limits, chapter)
                    took = time.monotonic() - started
                    broken = outcome.exercises[exercise]
                    least = solved.total - broken.max
                    named = broken.score == 0 and all(c.message and c.message != "passed" for c in broken.checks)
                    print(
                        f"{chapter} | {exercise} | {breakage} | {outcome.total:g} | {least:g} | "
                        f"{'yes' if named else 'NO'} | {took:.0f} | {took / base:.2f}x"
                    )


if __name__ == "__main__":
    main()
