"""Fair grading, against real labs: one broken answer costs only its own exercise, and the grader says which.

For every chapter with exercises, the reference answers with one of them broken (an endless loop, an exit at
import, a syntax error) must score full marks less at most that exercise's points, and the broken exercise's
feedback must say what went wrong. Which exercise and which breakage rotates from day to day (CI time is a
budget); `bench/fair_grading.py` runs the whole matrix. The grading itself happens in test_chapter_grades.py, on
the same warm lab as the chapter's solved grade (CI time): this module holds the cases and what they must meet.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from pathlib import Path

import nbformat

from msalab import notebooks
from msalab.checks import load_checks
from msalab.exercises import building_on, find
from msalab.grader import Outcome

BREAKAGES = {
    "endless-loop": "while True:\n    pass\n",
    "exit-at-import": "import os\nos._exit(1)\n",
    "syntax-error": "def broken(:\n    pass\n",
}
# What the broken exercise's feedback says, whichever kind of answer it is (a service's file or a module).
SAYS = {
    "endless-loop": ("was not ready after", "did not finish within"),
    "exit-at-import": ("stopped (exit code", "failed before returning"),
    "syntax-error": ("SyntaxError", "stopped (exit code"),
}


def _cases() -> list[tuple[Path, str, str]]:
    day = datetime.date.today().toordinal()
    cases = []
    for i, path in enumerate(notebooks.chapter_paths()):
        exercises = list(notebooks.answer_cells(nbformat.read(path, as_version=4)))
        if exercises:
            kinds = list(BREAKAGES)
            cases.append((path, exercises[(day + i) % len(exercises)], kinds[(day + 2 * i) % len(kinds)]))
    return cases


CASES = _cases()
CASE_OF = {path.stem: (exercise, breakage) for path, exercise, breakage in CASES}


def broken_submission(chapter: str, exercise: str, breakage: str, out: Path) -> Path:
    """The chapter's reference answers with one of them broken."""
    nb = notebooks.load_chapter(chapter)[1]
    answers = notebooks.reference_answers(nb)
    answers[exercise] = BREAKAGES[breakage]
    nbformat.write(notebooks.with_answers(nb, answers), out)
    return out


def assert_costs_only_its_exercise(outcome: Outcome, chapter: str, exercise: str, breakage: str) -> None:
    nb = notebooks.load_chapter(chapter)[1]
    broken = outcome.exercises[exercise]
    # A check that declares it needs the broken exercise too (a whole saga through a crash) cannot pass, and nor can
    # an exercise whose answer builds on it (lab.toml: builds_on); each must say why. Every other check of every
    # other exercise keeps its points.
    needing = {(c.exercise, c.name) for c in load_checks(nb.metadata["msalab"]["lab"], True) if exercise in c.needs}
    dependent = building_on(exercise)
    for ex, scored in outcome.exercises.items():
        for c in scored.checks:
            if ex == exercise:
                continue
            if ex in dependent:
                assert not c.passed and c.message.startswith(f"Not checked: this answer builds on {exercise}"), c
            elif (ex, c.name) in needing and not c.passed:
                assert c.message.startswith(f"Not checked: this check needs {exercise}"), c.message
            else:
                assert c.passed, (ex, c.name, c.message)
    assert broken.score == 0, outcome.to_json()
    said = " ".join(c.message for c in broken.checks)
    # Python in a file that is not Python (a rules file): whatever the service says of it is the cause to name.
    expected = SAYS[breakage] if find(exercise).is_python else tuple(w for words in SAYS.values() for w in words)
    assert any(words in said for words in expected), (said, outcome.problems, [asdict(c) for c in broken.checks])


def test_every_chapter_with_exercises_has_a_case_today() -> None:
    graded = [p.stem for p in notebooks.chapter_paths() if notebooks.answer_cells(nbformat.read(p, as_version=4))]
    assert sorted(CASE_OF) == graded
    assert all(breakage in BREAKAGES for _, breakage in CASE_OF.values())
