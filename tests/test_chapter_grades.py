"""Every chapter with exercises, graded exactly as a class would be, against real labs:
- with the reference answers, in the grading sandbox: full marks;
- as shipped, executed as a learner runs it (a kernel on this machine, `msalab.check` cells included): no error,
  and zero marks.
One run of each chapter covers both what a learner meets and what a grader gives (CI time is a budget)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from msalab import notebooks
from msalab.grader import Limits, grade_one

pytestmark = [pytest.mark.docker, pytest.mark.chapter]

GRADED = [p for p in notebooks.chapter_paths() if notebooks.answer_cells(nbformat.read(p, as_version=4))]


@pytest.mark.parametrize("path", GRADED, ids=[p.stem for p in GRADED])
def test_solved_full_marks_and_shipped_zero(path: Path, tmp_path: Path, clean_engine: None) -> None:
    solved = notebooks.solve(path, tmp_path / "solved.ipynb")
    full = grade_one(solved, Limits(), path.stem)
    assert full.problems == [] and full.max_total > 0 and full.total == full.max_total, full.to_json()

    shipped = grade_one(path, Limits(sandbox=None), path.stem)
    assert shipped.problems == [], "the chapter as shipped must run without errors, as a learner runs it"
    assert shipped.total == 0 and shipped.max_total == full.max_total, shipped.to_json()
