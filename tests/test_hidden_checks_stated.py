"""Every hidden check grades only what the learner was told: each one quotes its sentence, and it is really there.

No Docker: the checks are loaded, not run. A failure names the check and the sentence that was not found."""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest

from msalab.checks import CheckSpec, load_checks
from msalab.paths import labs_dir, solutions_dir

ROOT = labs_dir().parent
CHAPTER = "chapter"  # `states` names the lab's chapter (its markdown), its answer cells as shipped (`stub`: a
STUB = "stub"  # module answer's docstring lives only there), or a file under labs/<lab>/


def _normal(text: str) -> str:
    # Line breaks and indentation differ between a notebook, a docstring and a quote in a decorator.
    return re.sub(r"\s+", " ", text).strip()


@cache
def _chapter(lab: str, part: str) -> str:
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if nb.metadata.get("msalab", {}).get("lab") == lab:
            if part == STUB:
                return _normal("\n".join(c.source for c in nb.cells if c.metadata.get("msalab", {}).get("answer")))
            return _normal("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    raise AssertionError(f"no chapter has lab {lab!r} in its metadata")


def _hidden_checks() -> list[tuple[str, CheckSpec]]:
    labs = sorted(p.parent.name for p in solutions_dir().glob("*/hidden_checks.py"))
    return [(lab, spec) for lab in labs for spec in load_checks(lab, include_hidden=True) if spec.hidden]


HIDDEN = _hidden_checks()


def test_every_lab_with_hidden_checks_is_covered() -> None:
    assert len({lab for lab, _ in HIDDEN}) == len(list(solutions_dir().glob("*/hidden_checks.py")))


@pytest.mark.parametrize(("lab", "spec"), HIDDEN, ids=[f"{s.exercise}:{s.name}" for _, s in HIDDEN])
def test_hidden_check_quotes_a_sentence_the_learner_reads(lab: str, spec: CheckSpec) -> None:
    assert spec.states.strip(), (
        f'{spec.exercise}:{spec.name} ({spec.title}) has no states="<where>: <sentence>"; quote what it grades'
    )
    # One quote per line: a check that grades two promises quotes both, each where it is stated.
    for line in spec.states.strip().splitlines():
        where, sep, sentence = line.partition(": ")
        assert sep and sentence.strip(), f"{spec.name}: {line!r} is not '<where>: <sentence>'"
        if where in (CHAPTER, STUB):
            text = _chapter(lab, where)
        else:
            path = (ROOT / where).resolve()
            assert path.is_relative_to((labs_dir() / lab).resolve()) and path.is_file(), (
                f"{spec.name}: {where!r} is not a file under labs/{lab}/"
            )
            text = _normal(path.read_text())
        assert _normal(sentence) in text, f"{spec.name}: not found in {where}: {sentence!r}"
