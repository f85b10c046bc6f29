"""An answer that builds on an earlier one (lab.toml: builds_on) is run at its starting code whenever the earlier
one is: the exercises after both are then checked on their own merits (no Docker: deploying is recorded)."""

from __future__ import annotations

import pytest

from conftest import Course
from msalab import answers
from msalab.errors import TopologyError
from msalab.exercises import Exercise, building_on, find, lab_exercises
from msalab.grader import deploy_answers
from msalab.topology import load_lab

MESH = ["mesh.mtls", "mesh.authz", "mesh.resilience", "mesh.outlier", "mesh.canary"]


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []

    def deploy(lab: object, ex: Exercise, code: str, within: float | None = None) -> None:
        seen.append((ex.id, code))

    monkeypatch.setattr(answers, "deploy", deploy)
    return seen


def _answers() -> tuple[dict[str, str], dict[str, str]]:
    return {ex: f"# answer to {ex}\n" for ex in MESH}, {ex: f"# start of {ex}\n" for ex in MESH}


def test_the_mesh_policy_builds_on_mtls() -> None:
    assert find("mesh.authz").builds_on == ("mesh.mtls",)
    assert building_on("mesh.mtls") == ["mesh.authz"]
    assert building_on("mesh.resilience") == []


def test_a_blamed_answer_takes_what_builds_on_it_back_to_its_starting_code(deployed: list[tuple[str, str]]) -> None:
    code, stubs = _answers()
    code["mesh.mtls"] = "def broken(:\n    pass\n"

    blamed = deploy_answers(None, MESH, code, stubs)  # type: ignore[arg-type]

    assert list(blamed) == ["mesh.mtls", "mesh.authz"]
    assert blamed["mesh.authz"].startswith("Not checked: this answer builds on mesh.mtls, whose answer could not run")
    # mtls was never deployed (it does not compile); authz runs its starting code; the rest their answers.
    assert deployed == [
        ("mesh.authz", stubs["mesh.authz"]),
        ("mesh.resilience", code["mesh.resilience"]),
        ("mesh.outlier", code["mesh.outlier"]),
        ("mesh.canary", code["mesh.canary"]),
    ]


def test_an_unanswered_exercise_takes_what_builds_on_it_back_to_its_starting_code(
    deployed: list[tuple[str, str]],
) -> None:
    code, stubs = _answers()
    code["mesh.mtls"] = stubs["mesh.mtls"]

    blamed = deploy_answers(None, MESH, code, stubs, at_start=frozenset({"mesh.mtls"}))  # type: ignore[arg-type]

    assert list(blamed) == ["mesh.authz"]
    assert "builds on mesh.mtls, which is not answered yet" in blamed["mesh.authz"]
    assert ("mesh.authz", stubs["mesh.authz"]) in deployed and ("mesh.authz", code["mesh.authz"]) not in deployed


def test_both_at_their_starting_code_is_simply_unanswered(deployed: list[tuple[str, str]]) -> None:
    code, stubs = _answers()
    code.update({"mesh.mtls": stubs["mesh.mtls"], "mesh.authz": stubs["mesh.authz"]})

    blamed = deploy_answers(None, MESH, code, stubs, at_start=frozenset({"mesh.mtls", "mesh.authz"}))  # type: ignore[arg-type]

    assert blamed == {}


LAB = """
    [services.app]
    image = "python-service"
    source = "app"

    [exercises.first]
    kind = "service"
    service = "app"
    file = "first.py"

    [exercises.second]
    kind = "service"
    service = "app"
    file = "second.py"
    builds_on = {builds_on}
"""


@pytest.mark.parametrize(
    ("builds_on", "message"),
    [
        ('"first"', "give a list of exercise names"),
        ('["nope"]', "builds on 'nope', which is not an exercise declared before it"),
        ('["second"]', "builds on 'second', which is not an exercise declared before it"),
    ],
)
def test_a_wrong_builds_on_gets_one_clear_sentence(course: Course, builds_on: str, message: str) -> None:
    course.add_lab("twice", LAB.format(builds_on=builds_on), {"app/first.py": "", "app/second.py": ""})
    with pytest.raises(TopologyError, match=message):
        lab_exercises(load_lab("twice"))


def test_builds_on_names_exercises_of_the_same_lab(course: Course) -> None:
    course.add_lab("twice", LAB.format(builds_on='["first"]'), {"app/first.py": "", "app/second.py": ""})
    assert [e.builds_on for e in lab_exercises(load_lab("twice"))] == [(), ("twice.first",)]
