"""The CI/CD lab against real containers, one lab for the whole module (CI time is a budget): what is published
and what is not, no Docker socket anywhere, memory at rest, the shipped stubs earn nothing and the references
everything, and careless answers (a pipeline that pushes before it tests, a release by tag, a canary that never
compares) lose the points they deserve to lose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

import msalab
from conftest import REPO
from msalab.checkrun import run_one
from msalab.checks import CheckContext, load_checks
from msalab.exercises import find
from msalab.notebooks import extract_answers
from msalab.results import CheckResult

pytestmark = pytest.mark.docker

EXERCISES = ("pipeline", "release", "canary")
CHAPTER = REPO / "chapters" / "11-ci-cd.ipynb"


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    # Only this module's own lab is removed afterwards: other labs on the engine are left alone.
    started = msalab.up("cicd", quiet=True)
    yield started
    started.down()


def reference(name: str) -> str:
    return (REPO / "solutions" / "cicd" / "answers" / f"{name}.py").read_text()


def stub(name: str) -> str:
    return extract_answers(nbformat.read(CHAPTER, as_version=4))[f"cicd.{name}"]


def verdicts(
    lab: msalab.Lab, name: str, code: str, tmp_path: Path, only: set[str] | None = None
) -> dict[str, CheckResult]:
    """Every check (public and hidden) of one exercise, or those in `only`, with `code` as its answer."""
    ex = find(f"cicd.{name}")
    answer = tmp_path / f"{ex.id}.py"
    answer.write_text(code)
    ctx = CheckContext(lab, ex, answer)
    specs = [s for s in load_checks("cicd", include_hidden=True) if s.exercise == ex.id]
    return {s.name: run_one(s, ctx) for s in specs if only is None or s.name in only}


def _careless(name: str, old: str, new: str) -> str:
    code = reference(name)
    assert old in code, old
    return code.replace(old, new)


# One test function for the whole module: pytest-xdist spreads a module's tests over its workers, and each worker
# would start a lab of its own (16 s and ~350 MiB more).
def test_the_cicd_lab(lab: msalab.Lab, tmp_path: Path) -> None:
    published = {}
    for service in lab.services:
        attrs = lab.container(service).attrs
        bindings = attrs["HostConfig"]["PortBindings"] or {}
        assert {b["HostIp"] for bs in bindings.values() for b in bs} <= {"127.0.0.1"}
        if bindings:
            published[service] = sorted(bindings)
        # Builds and deployments go through the registry's and the agents' HTTP APIs, never the engine's.
        assert not any("docker.sock" in (m.get("Source") or "") for m in attrs["Mounts"]), service
    assert published == {
        "blue": ["9000/tcp"],
        "ci": ["8010/tcp"],
        "green": ["9000/tcp"],
        "registry": ["5000/tcp"],
        "router": ["80/tcp", "8080/tcp"],
    }

    at_rest = lab.memory_mb()
    assert sum(at_rest.values()) < 500, at_rest

    for name in EXERCISES:
        for check, v in verdicts(lab, name, stub(name), tmp_path).items():
            assert not v.passed, f"{name}.{check} passed with the shipped stub: {v.message}"
    for name in EXERCISES:
        for check, v in verdicts(lab, name, reference(name), tmp_path).items():
            assert v.passed, f"{name}.{check} failed with the reference answer: {v.message}"

    # Careless answers lose what they deserve to lose: a pipeline that pushes before it tests, ...
    code = _careless(
        "pipeline",
        "    for name, command in stages:",
        "    stages.insert(0, stages.pop())\n    for name, command in stages:",
    )
    v = verdicts(lab, "pipeline", code, tmp_path, only={"failing_test_stops_the_pipeline"})
    assert not v["failing_test_stops_the_pipeline"].passed
    # ... a release by tag (it still switches without a failed request) ...
    code = _careless(
        "release", "image = f\"{IMAGE}@{head.headers['docker-content-digest']}\"", 'image = f"{IMAGE}:{commit}"'
    )
    v = verdicts(lab, "release", code, tmp_path, only={"release_by_digest", "release_without_failures"})
    assert v["release_without_failures"].passed, v["release_without_failures"].message
    assert not v["release_by_digest"].passed
    # ... and a canary that never compares error rates.
    code = _careless("canary", "if requests >= 3 and errors / requests > stable_ratio + 0.05:", "if False:")
    v = verdicts(lab, "canary", code, tmp_path, only={"broken_canary_rolls_back"})
    assert not v["broken_canary_rolls_back"].passed
