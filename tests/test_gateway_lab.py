"""The gateway lab itself, against real containers: topology, checks vs. stubs and reference answers, and a
client nobody here wrote (schemathesis) fuzzing the gateway through its published OpenAPI."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import msalab
from msalab import answers, engine, labels
from msalab.checking import run_checks
from msalab.exercises import find, lab_exercises
from msalab.paths import solutions_dir
from msalab.results import CheckResult
from msalab.topology import load_lab

pytestmark = pytest.mark.docker

EXERCISES = [e.id for e in lab_exercises(load_lab("gateway"))]
SERVICES_BEHIND = ("gateway", "catalog", "orders", "users", "idp")


def deploy_reference(lab: msalab.Lab, names: list[str]) -> None:
    for name in names:
        source = (solutions_dir() / "gateway" / "answers" / f"{name}.py").read_text()
        answers.deploy(lab, find(f"gateway.{name}"), source)


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("gateway", quiet=True)
    try:
        yield started
    finally:
        started.down()
        left = engine.client().containers.list(all=True, filters=labels.filters("gateway", started.session))
        assert not left, f"the lab left {len(left)} container(s) behind"


def token(lab: msalab.Lab, who: str) -> str:
    answer = httpx.post(
        f"{lab.url('traefik')}/auth/token", json={"client_id": who, "client_secret": f"{who}-secret"}, timeout=10
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def test_only_the_edge_has_a_port_on_the_host(lab: msalab.Lab) -> None:
    assert lab.endpoints["traefik"]["http"]["url"].startswith("http://127.0.0.1:")
    for service in SERVICES_BEHIND:
        assert not lab.endpoints[service]
        assert not (lab.container(service).attrs["HostConfig"].get("PortBindings") or {}), service


def test_tokens_are_rs256_jwts_for_the_shop_api(lab: msalab.Lab) -> None:
    import jwt

    raw = token(lab, "carol")
    assert jwt.get_unverified_header(raw)["alg"] == "RS256"
    pem = lab.exec("idp", ["python3", "-c", "import app; print(app.PUBLIC_PEM)"]).output
    claims = jwt.decode(raw, pem.strip(), algorithms=["RS256"], audience="shop-api", issuer="shop-idp")
    assert (claims["sub"], claims["roles"]) == ("carol", ["admin"])
    refused = httpx.post(
        f"{lab.url('traefik')}/auth/token", json={"client_id": "carol", "client_secret": "guess"}, timeout=10
    )
    assert refused.status_code == 401


def test_stubs_earn_nothing_and_reference_answers_earn_everything(lab: msalab.Lab) -> None:
    with tempfile.TemporaryDirectory() as folder:
        shipped = run_checks(lab, EXERCISES, Path(folder), include_hidden=True)
        assert shipped.problem in (None, ""), shipped.problem
        assert shipped.results and not [r for r in shipped.results if r.passed], [
            (r.name, r.message) for r in shipped.results if r.passed
        ]
        deploy_reference(lab, [e.split(".")[1] for e in EXERCISES])
        solved = run_checks(lab, EXERCISES, Path(folder), include_hidden=True)
    failed = [(r.exercise, r.name, r.message) for r in solved.results if not r.passed]
    assert not failed
    assert {r.exercise for r in solved.results} == set(EXERCISES)
    assert all(2 <= len([r for r in solved.results if r.exercise == e]) <= 4 for e in EXERCISES)
    assert any(r.hidden for r in solved.results) and any(not r.hidden for r in solved.results)


def test_schemathesis_finds_no_server_error(lab: msalab.Lab, tmp_path: Path) -> None:
    """A real client nobody here wrote: schemathesis reads the gateway's OpenAPI through the edge and fuzzes it.

    Reference answers for everything but the rate limit, so the generated requests reach the services
    instead of being answered 429 after the first ten.
    """
    deploy_reference(lab, ["routing", "identity", "hiding", "aggregate"])
    policy_stub = (lab.spec.path / "services" / "gateway" / "policy.py").read_text()
    answers.deploy(lab, find("gateway.policy"), policy_stub)
    edge = lab.url("traefik")
    schema = httpx.get(f"{edge}/openapi.json", timeout=10)
    assert schema.status_code == 200 and "/storefront/{product_id}" in schema.json()["paths"]
    cli = Path(sys.executable).with_name("schemathesis")
    report = tmp_path / "run.json"
    done = subprocess.run(
        [
            str(cli),
            "run",
            f"{edge}/openapi.json",
            "--url",
            edge,
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "25",
            "--seed",
            "5",
            "--request-timeout",
            "5",
            "--header",
            f"Authorization: Bearer {token(lab, 'carol')}",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    tail = "\n".join(done.stdout.splitlines()[-40:]) + "\n" + done.stderr[-2000:]
    assert done.returncode == 0, f"schemathesis found a problem (exit {done.returncode}):\n{tail}"
    events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    assert events, "schemathesis wrote no events: it did not run"
    print(tail)  # its summary, for the log (pytest -s or -rP)


def _checks_with(lab: msalab.Lab, exercise: str, code: str, tmp_path: Path) -> dict[str, CheckResult]:
    """Every check of one gateway exercise with `code` as its answer (and the references for the others);
    the reference answer is back in place afterwards."""
    name = exercise.split(".")[1]
    deploy_reference(lab, [n for n in ("routing", "identity", "policy", "hiding", "aggregate") if n != name])
    answers.deploy(lab, find(exercise), code)
    try:
        report = run_checks(lab, [exercise], tmp_path, include_hidden=True)
    finally:
        deploy_reference(lab, [name])
    return {r.name: r for r in report.results}


def test_a_gateway_that_skips_audience_and_issuer_loses_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    """Tokens validly signed by the lab's idp, but for another audience or from another issuer: only a gateway
    that verifies aud and iss refuses them, so a gateway that checks the signature alone must fail."""
    reference = (solutions_dir() / "gateway" / "answers" / "identity.py").read_text()
    careless = reference.replace(
        "audience=AUDIENCE, issuer=ISSUER", 'options={"verify_aud": False, "verify_iss": False}'
    )
    assert careless != reference
    verdicts = _checks_with(lab, "gateway.identity", careless, tmp_path)
    assert verdicts["needs_a_valid_token"].passed and verdicts["smuggled_identity"].passed
    forged = verdicts["forged_tokens"]
    assert not forged.passed and "another audience" in forged.message, forged.message
    skip_iss = reference.replace("audience=AUDIENCE, issuer=ISSUER", "audience=AUDIENCE")
    forged = _checks_with(lab, "gateway.identity", skip_iss, tmp_path)["forged_tokens"]
    assert not forged.passed and "another issuer" in forged.message, forged.message


def test_a_gateway_that_drops_location_loses_the_point(lab: msalab.Lab, tmp_path: Path) -> None:
    """Dropping the Location header leaks nothing, but a 201 without Location is not a rewritten one."""
    reference = (solutions_dir() / "gateway" / "answers" / "hiding.py").read_text()
    dropping = reference.replace("if k not in REVEALING}", 'if k not in REVEALING and k != "location"}')
    assert dropping != reference
    rewritten = _checks_with(lab, "gateway.hiding", dropping, tmp_path)["location_rewritten"]
    assert not rewritten.passed and "Location ''" in rewritten.message, rewritten.message
