"""The orchestrator lab against real containers: a real swarm of two Docker-in-Docker nodes with Traefik at its
edge, the images loaded into the nodes, the shipped stubs earning nothing and the references everything.

One lab, one test (a start is ~25 s, and pytest-xdist would hand separate tests of a module to both workers, each
starting a lab of its own): the steps below run in order against it; the checks that deploy stacks remove the
stack first, so each step meets a swarm in a known state. CI time is a budget: the two hidden checks that roll
releases under load (~30 s each) run with the references in tests/test_chapter_grades.py (solved = full marks),
not again here."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import msalab
from msalab import answers, engine, labels, notebooks
from msalab.checking import run_checks
from msalab.checkrun import run_one
from msalab.checks import CheckContext, load_checks
from msalab.exercises import find, lab_exercises
from msalab.paths import labs_dir, solutions_dir
from msalab.results import CheckResult, Report
from msalab.topology import load_lab

pytestmark = pytest.mark.docker

EXERCISES = [e.id for e in lab_exercises(load_lab("orchestrator"))]
MEASURED_IN_CHAPTER_TEST = {"zero_failed_requests", "broken_release_rolls_back"}
CHAPTER = notebooks.load_chapter("07-container-management")[1]


def _swarmctl() -> ModuleType:
    name = "msalab_orchestrator_swarmctl"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, labs_dir() / "orchestrator" / "swarmctl.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


sw = _swarmctl()


def reference(ex_id: str) -> str:
    return (solutions_dir() / "orchestrator" / "answers" / f"{ex_id.split('.')[1]}.py").read_text()


def shipped(ex_id: str) -> str:
    return answers.strip_magic(notebooks.extract_answers(CHAPTER)[ex_id])


def test_the_orchestrator_lab(lab: msalab.Lab, tmp_path: Path) -> None:
    two_nodes_form_a_swarm_without_privileges_and_only_traefik_is_published(lab)
    images_are_loaded_into_each_node_and_releases_built_from_them(lab)
    shipped_stubs_earn_nothing(lab, tmp_path / "stubs")
    reference_answers_earn_everything_within_600_mib(lab, tmp_path / "references")
    careless_answers_lose_their_points_fast(lab, tmp_path / "careless")


@pytest.fixture
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("orchestrator", quiet=True)
    try:
        yield started
    finally:
        started.down()
        left = engine.client().containers.list(all=True, filters=labels.filters("orchestrator", started.session))
        assert not left, f"the lab left {len(left)} container(s) behind"


def grade(lab: msalab.Lab, code: dict[str, str], folder: Path) -> Report:
    folder.mkdir(parents=True, exist_ok=True)
    for ex_id, source in code.items():
        answers.save(find(ex_id), source, folder)
    return run_checks(lab, list(code), folder, include_hidden=True)


def verdicts(report: Report) -> dict[str, CheckResult]:
    assert not report.problem, report.problem
    return {r.name: r for r in report.results}


def two_nodes_form_a_swarm_without_privileges_and_only_traefik_is_published(lab: msalab.Lab) -> None:
    nodes = sw.docker(lab, "node", "ls", "--format", "{{.Status}} {{.Availability}} {{.ManagerStatus}}")
    assert sorted(nodes.split("\n")[:2]) == ["Ready Active ", "Ready Active Leader"], nodes
    for service in ("manager", "worker"):
        host = lab.container(service).attrs["HostConfig"]
        assert host["Privileged"] is False and host["CgroupnsMode"] == "private"
    assert {s: list(e) for s, e in lab.endpoints.items() if e} == {"manager": ["http"]}
    bindings = lab.container("manager").attrs["HostConfig"]["PortBindings"]
    assert {b["HostIp"] for bs in bindings.values() for b in bs} == {"127.0.0.1"}
    assert sw.docker(lab, "service", "ls", "--format", "{{.Name}} {{.Replicas}}").split() == ["edge_traefik", "1/1"]


def images_are_loaded_into_each_node_and_releases_built_from_them(lab: msalab.Lab) -> None:
    for node in ("manager", "worker"):
        for image in ("swarm-app:lab", "shop:v1", "shop:v2", "shop:broken"):
            assert lab.exec(node, ["docker", "image", "inspect", image]).exit_code == 0, (node, image)
    assert lab.exec("manager", ["docker", "image", "inspect", "traefik:lab"]).exit_code == 0
    assert lab.exec("worker", ["docker", "image", "inspect", "traefik:lab"]).exit_code != 0  # only where it runs


def shipped_stubs_earn_nothing(lab: msalab.Lab, tmp_path: Path) -> None:
    report = grade(lab, {ex: shipped(ex) for ex in EXERCISES}, tmp_path)
    earned = [(r.name, r.message) for r in verdicts(report).values() if r.passed]
    assert not earned, earned
    assert {r.exercise for r in report.results} == set(EXERCISES)


def reference_answers_earn_everything_within_600_mib(lab: msalab.Lab, tmp_path: Path) -> None:
    specs = load_checks("orchestrator", include_hidden=True)
    assert all(any(s.hidden for s in specs if s.exercise == e) for e in EXERCISES)
    results = []
    tmp_path.mkdir(parents=True, exist_ok=True)
    for ex_id in EXERCISES:
        answer = answers.save(find(ex_id), reference(ex_id), tmp_path)
        ctx = CheckContext(lab, find(ex_id), answer)
        results += [run_one(s, ctx) for s in specs if s.exercise == ex_id and s.name not in MEASURED_IN_CHAPTER_TEST]
    failed = [(r.exercise, r.name, r.message) for r in results if not r.passed]
    assert not failed, failed
    used = lab.memory_mb()  # with the references' three tasks running
    assert sum(used.values()) < 600, used


def careless_answers_lose_their_points_fast(lab: msalab.Lab, tmp_path: Path) -> None:
    stop_first = reference("orchestrator.rolling").replace("order: start-first", "order: stop-first")
    no_gap = reference("orchestrator.kubernetes").replace("maxUnavailable: 0", "maxUnavailable: 1")
    results = verdicts(grade(lab, {"orchestrator.rolling": stop_first, "orchestrator.kubernetes": no_gap}, tmp_path))
    assert not results["declares_safe_rollout"].passed and "start-first" in results["declares_safe_rollout"].message
    assert not results["zero_failed_requests"].passed  # refused before any measurement
    assert results["zero_failed_requests"].seconds < 10
    assert not results["deployment_is_probed"].passed and results["manifests_are_valid"].passed
