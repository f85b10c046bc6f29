"""The data lab's own behaviour against real containers: what the chapter promises really happens.

Each service's user reaches its own schema only; the shipped stubs earn nothing and the references everything;
the dual write really loses an event at the crash point; an outbox that mints a new event id per publish really
ships twice after a crash after the publish (so the hidden check can fail).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import msalab
from conftest import REPO
from msalab import answers, checking
from msalab.exercises import find

pytestmark = pytest.mark.docker


def _probe() -> ModuleType:
    name = "msalab_data_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "labs" / "data" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _probe()
REFERENCE = REPO / "solutions" / "data" / "answers"
STUBS = {
    "grants": "def grants(service: str, password: str) -> list[str]:\n    return []\n",
    "compose": (REPO / "labs" / "data" / "services" / "composer" / "compose.py").read_text(),
    "outbox": (REPO / "labs" / "data" / "services" / "orders" / "outbox.py").read_text(),
}


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("data", quiet=True)
    yield started
    started.down()


def grade(lab: msalab.Lab, exercise: str, source: str, folder: Path) -> checking.Report:
    ex = find(f"data.{exercise}")
    folder.mkdir(parents=True, exist_ok=True)
    answers.save(ex, source, folder)
    if ex.kind == "service":
        answers.deploy(lab, ex, source)
    return checking.run_checks(lab, [ex.id], folder, include_hidden=True)


def test_only_the_declared_ports_are_published_on_loopback(lab: msalab.Lab) -> None:
    published = {}
    for service in lab.services:
        bindings = lab.container(service).attrs["HostConfig"]["PortBindings"] or {}
        assert {b["HostIp"] for bs in bindings.values() for b in bs} <= {"127.0.0.1"}
        if bindings:
            published[service] = sorted(bindings)
    assert published == {"broker": ["15672/tcp"], "composer": ["8000/tcp"], "orders": ["8000/tcp"]}


def test_each_service_user_reaches_its_own_schema_only(lab: msalab.Lab) -> None:
    tables = {"catalog": "catalog_db.products", "customer": "customer_db.customers", "orders": "order_db.orders"}
    tables["shipping"] = "shipping_db.shipments"
    for user in tables:
        for owner, table in tables.items():
            want = "yes" if owner == user else "denied (1142)"
            assert probe.can(lab, user, f"SELECT 1 FROM {table} LIMIT 1") == want, (user, table)


@pytest.mark.parametrize("exercise", ["grants", "compose", "outbox"])
def test_stub_earns_nothing_and_reference_everything(lab: msalab.Lab, exercise: str, tmp_path: Path) -> None:
    stub = grade(lab, exercise, STUBS[exercise], tmp_path / "stub")
    assert stub.points == 0 and stub.max_points > 0, str(stub)
    ref = grade(lab, exercise, (REFERENCE / f"{exercise}.py").read_text(), tmp_path / "ref")
    assert ref.points == ref.max_points == stub.max_points, str(ref)


def test_dual_write_loses_the_event_at_the_crash_point(lab: msalab.Lab) -> None:
    answers.deploy(lab, find("data.outbox"), STUBS["outbox"])
    oid = f"{probe.new_tag()}-t"
    try:
        probe.arm(lab, "before-publish")
        assert probe.place(lab, oid) == 0  # it died answering
        assert probe.died(lab)
    finally:
        probe.revive(lab)
    time.sleep(3)
    assert probe.stored(lab, oid) and probe.shipments(lab, [oid]) == {oid: 0}


def test_a_new_event_id_per_publish_ships_twice_after_a_crash(lab: msalab.Lab, tmp_path: Path) -> None:
    broken = (REFERENCE / "outbox.py").read_text()
    broken = broken.replace("publish(json.loads(body))", "publish({**json.loads(body), 'event_id': uuid.uuid4().hex})")
    assert broken != (REFERENCE / "outbox.py").read_text()
    report = grade(lab, "outbox", broken, tmp_path)
    failed = {r.name for r in report.results if not r.passed}
    assert failed == {"crash_after_publish"}, str(report)
    answers.deploy(lab, find("data.outbox"), STUBS["outbox"])
