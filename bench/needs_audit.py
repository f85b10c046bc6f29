"""Benchmark-style audit: which checks need another exercise's answer without declaring it. Not a test.

Fair grading checks every exercise but a blamed one with that answer's starting code in its place. A check of
another exercise that then fails has to say `needs=(...)` (it is then reported as "Not checked", not as wrong), or
its exercise has to build on that one (lab.toml: builds_on): else a broken answer costs points it did not earn.
For each chapter this grades the reference answers with each exercise in turn put back to its shipped starting
code, one batch per chapter (a fresh lab per submission, two workers), and lists every check of another exercise
that failed without declaring that need.

Usage: .venv/bin/python bench/needs_audit.py [CHAPTER ...] [--workers N]
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
from msalab.grader import Limits, grade_batch
from msalab.notebooks import extract_answers

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapters", nargs="*", default=[p.stem for p in notebooks.chapter_paths()])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print("chapter | exercise at its starting code | check of another exercise that failed | needs declared | said")
    print("--- | --- | --- | --- | ---")
    undeclared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for chapter in args.chapters:
            nb = notebooks.load_chapter(chapter)[1]  # as shipped: its answer cells hold the starting code
            reference = notebooks.reference_answers(nb)
            if not reference:
                continue
            starting = extract_answers(nb)
            folder = Path(tmp) / chapter
            folder.mkdir()
            for exercise in reference:
                out = folder / f"{exercise}.ipynb"
                nbformat.write(notebooks.with_answers(nb, {**reference, exercise: starting[exercise]}), out)
            started = time.monotonic()
            outcomes = grade_batch(
                folder.glob("*.ipynb"), Path(tmp) / f"{chapter}-out", Limits(), args.workers, chapter, quiet=True
            )
            needs = {(c.exercise, c.name): c.needs for c in load_checks(nb.metadata["msalab"]["lab"], True)}
            for outcome in outcomes:
                stubbed = outcome.submission
                for problem in outcome.problems:
                    print(f"{chapter} | {stubbed} | (grading) | - | {problem[:160]}")
                for ex, scored in outcome.exercises.items():
                    for c in scored.checks:
                        if ex == stubbed or c.passed:
                            continue
                        declared = stubbed in needs.get((ex, c.name), ()) or ex in building_on(stubbed)
                        undeclared += not declared
                        print(f"{chapter} | {stubbed} | {ex}.{c.name} | {declared} | {c.message[:160]!r}")
            print(f"{chapter} | ({len(outcomes)} submissions) | - | - | {time.monotonic() - started:.0f} s")
    print(f"\nchecks failing for another exercise's starting code without declaring it: {undeclared}")


if __name__ == "__main__":
    main()
