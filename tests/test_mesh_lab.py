"""The mesh lab against real containers: sidecars in their apps' network namespaces, and one careless answer per
exercise that must lose its point. (The shipped stubs and the reference answers: tests/test_chapter_grades.py.)"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import msalab
from msalab import answers, engine, labels
from msalab.checking import run_checks
from msalab.checks import load_checks
from msalab.exercises import find, lab_exercises
from msalab.paths import labs_dir, solutions_dir
from msalab.results import CheckResult
from msalab.topology import load_lab

pytestmark = pytest.mark.docker

NAMES = [e.id.split(".")[1] for e in lab_exercises(load_lab("mesh"))]
EXERCISES = [f"mesh.{n}" for n in NAMES]
APPS = ("catalog-1", "catalog-2", "pricing-v1", "pricing-v2")


def reference(name: str) -> str:
    return (solutions_dir() / "mesh" / "answers" / f"{name}.py").read_text()


def shipped(name: str) -> str:
    return (labs_dir() / "mesh" / "services" / "control" / f"{name}.py").read_text()


def deploy(lab: msalab.Lab, name: str, code: str) -> None:
    answers.deploy(lab, find(f"mesh.{name}"), code)


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("mesh", quiet=True)
    try:
        yield started
    finally:
        started.down()
        left = engine.client().containers.list(all=True, filters=labels.filters("mesh", started.session))
        assert not left, f"the lab left {len(left)} container(s) behind"


@pytest.fixture(scope="module")
def probe() -> object:
    sys.path.insert(0, str(labs_dir() / "mesh"))
    import meshprobe

    return meshprobe


def test_only_the_ingress_and_the_control_plane_have_ports_and_apps_sit_behind_their_sidecars(
    lab: msalab.Lab, probe: object
) -> None:
    published = {s for s, e in lab.endpoints.items() if e}
    assert published == {"ingress", "control"}
    for app in APPS:
        mode = lab.container(app).attrs["HostConfig"]["NetworkMode"]
        assert mode == f"container:{lab.container(app + '-sidecar').id}", (app, mode)
        # The app listens on 127.0.0.1 of the shared namespace: from the lab network only the sidecar answers.
        direct = lab.exec("control", ["python3", "-c", f"import socket; socket.create_connection(('{app}', 8080), 2)"])
        assert direct.exit_code != 0, f"{app}'s app is reachable around its sidecar"
    # Each app reaches its own sidecar's admin and outbound listener on 127.0.0.1, as one pod would.
    admin = lab.exec(
        "catalog-1",
        ["python3", "-c", "import urllib.request as u; print(u.urlopen('http://127.0.0.1:9901/ready').read())"],
    )
    assert admin.exit_code == 0 and "LIVE" in admin.output, admin.output


def test_the_lab_stays_under_300_mib(lab: msalab.Lab) -> None:
    used = lab.memory_mb()
    assert sum(used.values()) < 300, used


def test_every_exercise_has_public_and_hidden_checks() -> None:
    # Whether the shipped stubs earn nothing and the references everything is graded as a class would be, with
    # every check, by tests/test_chapter_grades.py (06-service-mesh): not run a second time here (CI's budget).
    specs = load_checks("mesh", include_hidden=True)
    for exercise in EXERCISES:
        mine = [s for s in specs if s.exercise == exercise]
        assert len(mine) >= 2 and any(s.hidden for s in mine) and not all(s.hidden for s in mine), exercise


def _checks_with(lab: msalab.Lab, name: str, code: str, tmp_path: Path) -> dict[str, CheckResult]:
    """Every check of one exercise with `code` as its answer (references for the others), then the reference back."""
    for other in NAMES:
        deploy(lab, other, reference(other) if other != name else code)
    try:
        report = run_checks(lab, [f"mesh.{name}"], tmp_path, include_hidden=True)
    finally:
        deploy(lab, name, reference(name))
    assert not report.problem, report.problem
    return {r.name: r for r in report.results}


def _careless(name: str, old: str, new: str) -> str:
    code = reference(name)
    assert old in code, old
    return code.replace(old, new)


def test_mtls_without_a_ca_to_verify_against_loses_the_points(lab: msalab.Lab, tmp_path: Path) -> None:
    # Demands a certificate, but checks neither who signed it nor whose it is.
    code = reference("mtls") + (
        "\n\ndef server_tls(me):\n"
        '    return {"require_client_certificate": True,\n'
        '            "common_tls_context": {"tls_certificates": [_my_certificate(me)]}}\n'
    )
    verdicts = _checks_with(lab, "mtls", code, tmp_path)
    # Without a CA to verify against, Envoy does not even ask for a client certificate: both refusals fail.
    assert not verdicts["no_certificate_no_entry"].passed
    assert not verdicts["other_ca_is_refused"].passed, verdicts["other_ca_is_refused"].message


def test_authorization_that_lets_every_mesh_identity_in_loses_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    code = _careless("authz", '"pricing": [MESH + "catalog"]', '"pricing": [MESH + "catalog", MESH + "ingress"]')
    verdicts = _checks_with(lab, "authz", code, tmp_path)
    assert not verdicts["only_catalog_calls_pricing"].passed
    assert not verdicts["policy_on_every_instance"].passed


def test_retries_at_every_hop_make_a_storm_and_lose_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    code = _careless(
        "resilience",
        'return {"timeout": "2s"}',
        'return {"timeout": "2s", "retry_policy": {"retry_on": "5xx", "num_retries": 2}}',
    )
    verdicts = _checks_with(lab, "resilience", code, tmp_path)
    assert verdicts["flaky_pricing_is_hidden"].passed
    storm = verdicts["no_retry_storm"]
    assert not storm.passed and "at most 4" in storm.message, storm.message


def test_outlier_detection_that_never_trips_loses_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    code = _careless("outlier", '"consecutive_5xx": 3', '"consecutive_5xx": 1000')
    verdicts = _checks_with(lab, "outlier", code, tmp_path)
    assert not verdicts["failing_instance_is_ejected"].passed
    assert not verdicts["killed_instance_is_ejected"].passed


def test_a_canary_promoted_without_looking_at_errors_loses_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    code = _careless("canary", 'v2["requests"] >= 30 and v2["errors"] / v2["requests"] <= 0.01', 'v2["requests"] >= 30')
    code = code.replace('v2["requests"] >= 20 and v2["errors"] / v2["requests"] > 0.05', "False")
    verdicts = _checks_with(lab, "canary", code, tmp_path)
    assert verdicts["about_ten_percent"].passed and verdicts["healthy_canary_is_promoted"].passed
    assert not verdicts["failing_canary_is_rolled_back"].passed
