"""A hanging answer costs its limit once per exercise: after one check of an exercise waits out a limit (its own,
or that of the learner code it ran), that exercise's other checks are not run, and say why. Other exercises'
checks still run. No Docker: the checks here are plain functions against a stand-in lab."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from msalab import checkrun
from msalab.checks import AnswerHung, CheckContext, CheckSpec
from msalab.results import CheckResult


class IdleLab:
    name = "hello"

    def states(self) -> dict[str, str]:
        return {}


def spec(exercise: str, name: str, func, timeout: float = 5) -> CheckSpec:  # type: ignore[no-untyped-def]
    return CheckSpec(exercise, name, name.replace("_", " "), 1, timeout, False, func)


def run(monkeypatch: pytest.MonkeyPatch, specs: list[CheckSpec], tmp_path: Path) -> dict[str, CheckResult]:
    monkeypatch.setattr(checkrun, "load_checks", lambda lab, hidden: specs)
    report = checkrun.run(["hello.greeting", "hello.client"], IdleLab(), tmp_path, include_hidden=True)  # type: ignore[arg-type]
    return {r.name: r for r in report.results}


def passes(ctx: CheckContext) -> None:
    return None


def test_after_a_check_runs_out_of_time_the_exercises_other_checks_are_not_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str] = []

    def endless(ctx: CheckContext) -> None:
        calls.append("endless")
        time.sleep(30)

    def second(ctx: CheckContext) -> None:
        calls.append("second")

    specs = [
        spec("hello.greeting", "first", endless, timeout=0.5),
        spec("hello.greeting", "second", second),
        spec("hello.client", "other_exercise", passes),
    ]
    started = time.monotonic()
    results = run(monkeypatch, specs, tmp_path)
    assert time.monotonic() - started < 5
    assert calls == ["endless"]
    assert results["first"].message.startswith("did not finish within")
    assert not results["second"].passed and results["second"].message.startswith("Not checked: an earlier check")
    assert results["other_exercise"].passed


def test_learner_code_that_hung_inside_a_check_skips_the_rest_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def hung(ctx: CheckContext) -> None:
        raise AnswerHung("Your greet() did not finish within 30 s (an endless loop?).")

    results = run(monkeypatch, [spec("hello.greeting", "a", hung), spec("hello.greeting", "b", passes)], tmp_path)
    assert results["a"].message.startswith("Your greet() did not finish")
    assert results["b"].message.startswith("Not checked: an earlier check")


def test_an_ordinary_failure_does_not_skip_the_exercises_other_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fails(ctx: CheckContext) -> None:
        ctx.expect(False, "front answered 'hello', not 'HELLO'.")

    results = run(monkeypatch, [spec("hello.greeting", "a", fails), spec("hello.greeting", "b", passes)], tmp_path)
    assert not results["a"].passed and results["b"].passed


def test_learner_code_run_by_a_checks_script_that_runs_out_of_time_raises_answer_hung(tmp_path: Path) -> None:
    script = tmp_path / "scenarios.py"
    script.write_text("while True:\n    pass\n")
    ctx = CheckContext(IdleLab(), None, None)  # type: ignore[arg-type]
    with pytest.raises(AnswerHung, match=r"run by scenarios.py, did not finish within 1 s"):
        ctx.run_python(script, timeout=1)
