"""`ctx.import_answer()`: an answer a check hands to a service (a pipeline the CI server runs) is imported first,
calling nothing, so that one that does not even import fails in a second with its cause. No Docker: the answer
runs in a fresh local process, as it does for a learner."""

from __future__ import annotations

from pathlib import Path

import pytest

from msalab.checks import AnswerHung, CheckContext, CheckFailed


def context(tmp_path: Path, source: str) -> CheckContext:
    answer = tmp_path / "pipeline.py"
    answer.write_text(source)
    return CheckContext(None, None, answer)  # type: ignore[arg-type]


def test_an_answer_that_imports_passes_without_anything_being_called(tmp_path: Path) -> None:
    called = tmp_path / "called"
    context(tmp_path, f"def run(commit, registry):\n    open({str(called)!r}, 'w')\n").import_answer()
    assert not called.exists()


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("def broken(:\n    pass\n", r"^Importing your answer failed: SyntaxError"),
        ("import os\nos._exit(3)\n", r"^Importing your answer stopped \(exit code 3\) without a word\.$"),
        ("raise RuntimeError('no registry configured')\n", r"failed: RuntimeError: no registry configured$"),
    ],
    ids=["syntax error", "silent exit", "exception"],
)
def test_an_answer_that_does_not_import_fails_with_its_cause(tmp_path: Path, source: str, says: str) -> None:
    with pytest.raises(CheckFailed, match=says) as failed:
        context(tmp_path, source).import_answer()
    assert not isinstance(failed.value, AnswerHung)


def test_an_answer_that_loops_at_import_is_a_hang(tmp_path: Path) -> None:
    with pytest.raises(AnswerHung, match=r"did not finish within 1 s \(an endless loop at import\?\)"):
        context(tmp_path, "while True:\n    pass\n").import_answer(timeout=1)
