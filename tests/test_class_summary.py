"""The class summary a batch ends with: score spread and the most failed check, per exercise (no engine needed)."""

from __future__ import annotations

from msalab.class_summary import as_markdown, summarise
from msalab.grader import ExerciseScore, Outcome
from msalab.results import CheckResult


def _outcome(name: str, passed: dict[str, bool], problems: list[str] | None = None) -> Outcome:
    checks = [CheckResult("q.ack", n, f"title {n}", ok, 1.0 if ok else 0.0, 1.0, "") for n, ok in passed.items()]
    return Outcome(name, "08", {"q.ack": ExerciseScore(sum(c.points for c in checks), 2.0, checks)}, problems or [])


def test_the_spread_and_the_most_failed_check_per_exercise() -> None:
    outcomes = [
        _outcome("ann", {"a": True, "b": True}),
        _outcome("bob", {"a": True, "b": False}),
        _outcome("cho", {"a": False, "b": False}, ["the kernel died"]),
    ]
    (row,) = summarise(outcomes)
    assert (row.full, row.partial, row.zero, row.graded) == (1, 1, 1, 3)
    assert row.mean == 1.0 and row.median == 1.0
    assert row.most_failed == "title b (2 of 3)"
    text = as_markdown(outcomes)
    assert "3 submission(s)" in text and "1 with problems" in text
    assert "| q.ack | 2 | 1 | 1 | 1 | 1.0 | 1 | title b (2 of 3) |" in text


def test_an_empty_batch_still_reads() -> None:
    assert "0 submission(s)" in as_markdown([])
    assert summarise([]) == []
