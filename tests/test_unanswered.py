"""An unanswered exercise costs no grading time: an answer that is still the chapter's starting code, as either
edition ships it, scores 0 without its checks running, and a submission with nothing answered needs no lab. That
the starting code earns nothing is proven against real labs in tests/test_chapter_grades.py (which runs the
checks of the chapter as shipped). No Docker needed here."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from msalab import notebooks, translation
from msalab.grader import NOT_ANSWERED, Limits, grade_one, unanswered_exercises

CHAPTER = "00-welcome"


def _answers(path: Path) -> dict[str, str]:
    return notebooks.extract_answers(nbformat.read(path, as_version=4))


def _english_stubs() -> dict[str, str]:
    return notebooks.extract_answers(notebooks.load_chapter(CHAPTER)[1])


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_starting_code_of_either_edition_is_unanswered(lang: str) -> None:
    shipped = _english_stubs() if lang == "en" else _answers(translation.edition_path(CHAPTER, lang))
    assert unanswered_exercises(CHAPTER, shipped, _english_stubs()) == set(shipped)


def test_an_answer_is_answered_even_when_only_a_comment_changed() -> None:
    shipped = _english_stubs()
    reference = notebooks.reference_answers(notebooks.load_chapter(CHAPTER)[1])
    assert unanswered_exercises(CHAPTER, reference, shipped) == set()
    first, stub = next(iter(shipped.items()))
    touched = stub + "\n# mine: a check may read what the starting code does not say\n"
    assert unanswered_exercises(CHAPTER, {**shipped, first: touched}, shipped) == set(shipped) - {first}
    untouched = stub.replace("\n", "  \n") + "\n\n"  # trailing blanks are not an answer
    assert unanswered_exercises(CHAPTER, {first: untouched}, shipped) == {first}


def test_a_submission_with_nothing_answered_scores_zero_without_a_lab(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msalab import grader

    def no_lab(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unanswered submission started a lab")

    monkeypatch.setattr(grader, "_checks_lab", no_lab)
    monkeypatch.setattr(grader.runtime, "up", no_lab)
    path = tmp_path / "shipped.ipynb"
    path.write_bytes(translation.edition_path(CHAPTER, "ko").read_bytes())
    outcome = grade_one(path, Limits(), CHAPTER)
    assert outcome.problems == []
    assert outcome.total == 0 and outcome.max_total > 0
    checks = [c for e in outcome.exercises.values() for c in e.checks]
    assert checks and all(c.message == NOT_ANSWERED and not c.passed for c in checks)
    assert {c.hidden for c in checks} == {False, True}  # every check is listed, the hidden ones too
