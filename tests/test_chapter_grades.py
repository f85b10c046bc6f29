"""Every chapter with exercises, graded exactly as a class would be, against real labs. Per chapter, on one warm
lab that is reset between submissions (as a batch's worker does):
- the reference answers with one of them broken (test_fair_grading's case of the day): full marks less at most
  that exercise, the cause named;
- then the Korean edition with the reference answers, in the grading sandbox: full marks, though the broken
  submission was graded on that same lab just before (a reset leaves nothing of it);
and, executed as a learner runs it (a kernel on this machine, `msalab.check` cells included), the chapter as
shipped: no error, and zero marks. Which edition runs as shipped alternates from chapter to chapter and from day to
day, so both languages' runtime (hints, check tables, answer lines) run every day and each chapter's in both over
two days. The Korean edition's code cells are the English ones byte for byte (tests/test_translation.py), so a
grade of one is the other's too; one run of each kind covers both languages (CI time is a budget).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import nbformat
import pytest
from test_fair_grading import CASE_OF, assert_costs_only_its_exercise, broken_submission

from msalab import language, notebooks, translation
from msalab.grader import Limits, Outcome, grade_one, release_warm_labs

pytestmark = [pytest.mark.docker, pytest.mark.chapter]

GRADED = [p for p in notebooks.chapter_paths() if notebooks.answer_cells(nbformat.read(p, as_version=4))]


@pytest.mark.parametrize("path", GRADED, ids=[p.stem for p in GRADED])
def test_solved_full_marks_and_shipped_zero(
    path: Path, tmp_path: Path, clean_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    exercise, breakage = CASE_OF[path.stem]
    warm = Limits(reuse_labs=True)
    try:
        broken = grade_one(broken_submission(path.stem, exercise, breakage, tmp_path / "broken.ipynb"), warm)
        assert_costs_only_its_exercise(broken, path.stem, exercise, breakage)

        korean = translation.edition_path(path.stem, "ko")
        solved = notebooks.with_answers(
            nbformat.read(korean, as_version=4), notebooks.reference_answers(notebooks.load_chapter(path.stem)[1])
        )
        nbformat.write(solved, tmp_path / "solved-ko.ipynb")
        full = grade_one(tmp_path / "solved-ko.ipynb", warm, path.stem)
        assert full.problems == [] and full.max_total > 0 and full.total == full.max_total, _failed(full)
    finally:
        release_warm_labs()

    as_shipped = path
    if shipped_edition(path) == "ko":
        monkeypatch.setenv(language.LANG_VARIABLE, "ko")  # for the kernel, as jupyter_server's session path says
        as_shipped = translation.edition_path(path.stem, "ko")
    # Its checks run although nothing is answered: this is what lets the grader skip an unanswered exercise.
    shipped = grade_one(as_shipped, Limits(sandbox=None, execute_notebook=True, skip_unanswered=False), path.stem)
    assert shipped.problems == [], "the chapter as shipped must run without errors, as a learner runs it"
    assert shipped.total == 0 and shipped.max_total == full.max_total, shipped.to_json()


def shipped_edition(path: Path) -> str:
    return ("en", "ko")[(datetime.date.today().toordinal() + GRADED.index(path)) % 2]


def _failed(outcome: Outcome) -> str:
    """What pytest would otherwise cut short: every failed check with what it saw."""
    failed = [f"{ex}/{c.name}: {c.message}" for ex, e in outcome.exercises.items() for c in e.checks if not c.passed]
    return f"{outcome.total:g}/{outcome.max_total:g}; problems: {outcome.problems}; failed: {failed}"
