"""Writing checks: what a lab author puts in labs/<lab>/checks.py (public) and solutions/<lab>/hidden_checks.py.

    from msalab.checks import check

    @check("hello.greeting", points=2, title="greets in capitals")
    def greets_in_capitals(ctx):
        body = httpx.get(f"{ctx.lab.url('front')}/hello/ada").json()
        ctx.expect(body["greeting"] == "Hello, ADA!", f"front answered {body['greeting']!r}, not 'Hello, ADA!'.")

A check passes when it returns; it fails with the message of `ctx.expect`, an AssertionError or CheckFailed.
Checks run in their own process (see checkrun.py), never in the learner's kernel.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from msalab.exercises import Exercise
from msalab.lab import Lab
from msalab.paths import labs_dir, solutions_dir

PUBLIC_FILE = "checks.py"
HIDDEN_FILE = "hidden_checks.py"


class CheckFailed(Exception):
    """The check's verdict: the message tells the learner what was seen and what was expected."""


class AnswerHung(CheckFailed):
    """The learner's code did not finish within its limit. The exercise's other checks are not run: each would
    wait out its limit again for the same endless loop (checkrun.run)."""


@dataclass(frozen=True)
class CheckSpec:
    exercise: str
    name: str
    title: str
    points: float
    timeout: float
    hidden: bool
    func: Callable[[CheckContext], str | None]
    # Other exercises whose answers this check's system needs running as well (a whole saga through a crash):
    # when the grader had to replace one of them, the check cannot say anything about its own exercise.
    needs: tuple[str, ...] = ()
    # Where the learner is told what this check grades, one "<where>: <the sentence, quoted>" a line; where is
    # `chapter` (the markdown of the lab's chapter), `stub` (its answer cells as shipped, where a module answer's
    # docstring lives) or a file under labs/<lab>/. Every hidden check has one, so a hidden check grades only what
    # was stated (tests/test_hidden_checks_stated.py finds each quote).
    states: str = ""


_registry: list[CheckSpec] = []
_loading_hidden = False


def check(
    exercise: str,
    points: float = 1,
    title: str | None = None,
    timeout: float = 90,
    needs: tuple[str, ...] = (),
    states: str = "",
) -> Callable[[Callable[[CheckContext], str | None]], Callable[[CheckContext], str | None]]:
    def register(func: Callable[[CheckContext], str | None]) -> Callable[[CheckContext], str | None]:
        doc_title = (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else func.__name__
        if any(c.exercise == exercise and c.name == func.__name__ for c in _registry):
            return func  # its module was loaded again (a hidden check file importing the public one)
        _registry.append(
            CheckSpec(
                exercise, func.__name__, title or doc_title, points, timeout, _loading_hidden, func, needs, states
            )
        )
        return func

    return register


def load_checks(lab: str, include_hidden: bool) -> list[CheckSpec]:
    global _loading_hidden
    _registry.clear()
    files = [(labs_dir() / lab / PUBLIC_FILE, False)]
    if include_hidden:
        files.append((solutions_dir() / lab / HIDDEN_FILE, True))
    for path, hidden in files:
        if not path.is_file():
            continue
        _loading_hidden = hidden
        try:
            module_spec = importlib.util.spec_from_file_location(f"msalab_checks_{lab}_{int(hidden)}", path)
            assert module_spec is not None and module_spec.loader is not None
            module_spec.loader.exec_module(importlib.util.module_from_spec(module_spec))
        finally:
            _loading_hidden = False
    return list(_registry)


def lab_module(lab: str, filename: str) -> ModuleType:
    """A lab's helper module (its probe, its public checks), loaded once per process by path under a name of its
    own: two labs' `probe.py` or `checks.py` never stand in for each other in one grading process."""
    name = f"msalab_{lab}_{Path(filename).stem}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / lab / filename)
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


# ---- what a check gets -------------------------------------------------------------------------------------------
ANSWER_RUNNER = Path(__file__).with_name("answer_runner.py")
RESULT_MARKER = "@@msalab-result@@"


class Runner(Protocol):
    """Where a check runs learner code: this machine (a learner's own), or a grading sandbox (sandbox.py)."""

    def translate(self, value: Any) -> Any: ...

    def path(self, host_path: Path) -> str: ...

    def run(
        self, script: Path, args: list[str], timeout: float, folder: Path | None
    ) -> subprocess.CompletedProcess[str]: ...


class LocalRunner:
    def translate(self, value: Any) -> Any:
        return value

    def path(self, host_path: Path) -> str:
        return str(host_path)

    def run(
        self, script: Path, args: list[str], timeout: float, folder: Path | None
    ) -> subprocess.CompletedProcess[str]:
        if folder is not None:
            args = [a.replace("{folder}", str(folder)) for a in args]
        return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=timeout)


class CheckContext:
    def __init__(self, lab: Lab, exercise: Exercise, answer_path: Path | None, runner: Runner | None = None) -> None:
        self.lab = lab
        self.exercise = exercise
        self.answer_path = answer_path
        self.runner: Runner = runner or LocalRunner()

    def expect(self, condition: object, message: str) -> None:
        if not condition:
            raise CheckFailed(message)

    def run_python(
        self, script: Path, *args: str, folder: Path | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """`python script *args` where learner code runs: a fresh process here, or the grading sandbox.

        `folder` (a folder of this machine) is copied there first; "{folder}" in args names its copy. Learner code
        it runs that does not finish within `timeout` raises AnswerHung."""
        try:
            return self.runner.run(script, list(args), timeout, folder)
        except subprocess.TimeoutExpired:
            raise AnswerHung(
                f"Your answer, run by {script.name}, did not finish within {timeout:.0f} s (an endless loop?)."
            ) from None

    def import_answer(self, timeout: float = 20) -> None:
        """Import the learner's answer module in a fresh process (where learner code runs), calling nothing.

        For an answer a check hands to a service rather than calls (a pipeline the CI server runs): one that does
        not even import (a syntax error, an exit or a loop at import) fails here with its cause, in a second,
        instead of after a build that proves nothing."""
        if self.answer_path is None or not self.answer_path.is_file():
            raise CheckFailed(f"There is no answer for {self.exercise.id} yet: run its answer cell first.")
        try:
            done = self.runner.run(ANSWER_RUNNER, [self.runner.path(self.answer_path), "", "[]"], timeout, None)
        except subprocess.TimeoutExpired:
            raise AnswerHung(
                f"Importing your answer did not finish within {timeout:.0f} s (an endless loop at import?)."
            ) from None
        if done.returncode != 0 or RESULT_MARKER not in done.stdout:
            said = done.stderr.strip().splitlines()[-1:]
            if not said:
                raise CheckFailed(f"Importing your answer stopped (exit code {done.returncode}) without a word.")
            raise CheckFailed(f"Importing your answer failed: {said[0]}")

    def run_answer(self, func: str, *args: Any, timeout: float = 30) -> Any:
        """Call `func(*args)` of the learner's answer module in a fresh Python process; JSON in, JSON out.

        Where that process runs, URLs of the lab's published ports in `args` are the lab's addresses there."""
        if self.answer_path is None or not self.answer_path.is_file():
            raise CheckFailed(f"There is no answer for {self.exercise.id} yet: run its answer cell first.")
        payload = json.dumps(self.runner.translate(list(args)))
        try:
            done = self.runner.run(ANSWER_RUNNER, [self.runner.path(self.answer_path), func, payload], timeout, None)
        except subprocess.TimeoutExpired:  # checkrun.run runs none of the exercise's other checks after this
            raise AnswerHung(f"Your {func}() did not finish within {timeout:.0f} s (an endless loop?).") from None
        if done.returncode != 0 or RESULT_MARKER not in done.stdout:
            tail = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            raise CheckFailed(f"Your {func}() failed before returning: {tail[0]}")
        return json.loads(done.stdout.rsplit(RESULT_MARKER, 1)[1])
