"""The layers lab's own behaviour against real containers.

The shipped stubs earn nothing and the references everything; import-linter catches a core that imports an
adapter; a core that smuggles FastAPI in at run time passes the linter but not the hidden check that runs it with
the frameworks blocked; a memory adapter that hands out its own objects fails the contract tests; both adapters run
the same contract tests.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import msalab
from conftest import REPO
from msalab import answers, checking
from msalab.exercises import find

pytestmark = pytest.mark.docker

SOURCE = REPO / "labs" / "layers" / "services" / "inventory" / "inventory"
REFERENCE = REPO / "solutions" / "layers" / "answers"


def _probe() -> ModuleType:
    name = "msalab_layers_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "labs" / "layers" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _probe()


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("layers", quiet=True)
    yield started
    started.down()


def grade(lab: msalab.Lab, exercise: str, source: str, folder: Path) -> checking.Report:
    ex = find(f"layers.{exercise}")
    folder.mkdir(parents=True, exist_ok=True)
    answers.save(ex, source, folder)
    answers.deploy(lab, ex, source)
    return checking.run_checks(lab, [ex.id], folder, include_hidden=True)


def test_only_inventory_is_published_on_loopback(lab: msalab.Lab) -> None:
    bindings = {s: lab.container(s).attrs["HostConfig"]["PortBindings"] or {} for s in lab.services}
    assert {s: sorted(b) for s, b in bindings.items() if b} == {"inventory": ["8000/tcp"]}
    assert {h["HostIp"] for b in bindings["inventory"].values() for h in b} == {"127.0.0.1"}


@pytest.mark.parametrize("exercise", ["core", "memory", "sql"])
def test_stub_earns_nothing_and_reference_everything(lab: msalab.Lab, exercise: str, tmp_path: Path) -> None:
    stub = grade(lab, exercise, (SOURCE / f"{exercise}.py").read_text(), tmp_path / "stub")
    assert stub.points == 0 and stub.max_points > 0, str(stub)
    ref = grade(lab, exercise, (REFERENCE / f"{exercise}.py").read_text(), tmp_path / "ref")
    assert ref.points == ref.max_points == stub.max_points, str(ref)


def test_linter_catches_a_core_that_knows_an_adapter(lab: msalab.Lab, tmp_path: Path) -> None:
    core = "from inventory.memory import MemoryStockRepository  # noqa\n" + (REFERENCE / "core.py").read_text()
    answers.deploy(lab, find("layers.core"), core)
    kept, report = probe.lint(probe.fetch_package(lab, tmp_path))
    assert not kept and "The domain core knows none of its adapters" in probe.broken_contracts(report), report
    assert "database driver or broker client KEPT" in report


def test_a_core_importing_fastapi_at_run_time_fails_only_the_blocked_run(lab: msalab.Lab, tmp_path: Path) -> None:
    sneaky = (
        (REFERENCE / "core.py")
        .read_text()
        .replace(
            "    def stock(self, sku: str) -> int:\n",
            "    def stock(self, sku: str) -> int:\n        __import__('importlib').import_module('fastapi')\n",
        )
    )
    report = grade(lab, "core", sneaky, tmp_path)
    assert {r.name for r in report.results if not r.passed} == {"core_alone"}, str(report)


def test_a_memory_adapter_without_copies_fails_the_contract(lab: msalab.Lab) -> None:
    naive = (REFERENCE / "memory.py").read_text().replace("copy.deepcopy(item)", "item")
    answers.deploy(lab, find("layers.memory"), naive)
    failed = {r["test"] for r in probe.contract(lab, "memory") if not r["passed"]}
    assert failed == {"hands_out_copies"}


def test_both_adapters_run_the_same_contract_tests(lab: msalab.Lab) -> None:
    for exercise in ("memory", "sql"):
        answers.deploy(lab, find(f"layers.{exercise}"), (REFERENCE / f"{exercise}.py").read_text())
    runs = {adapter: probe.contract(lab, adapter) for adapter in ("memory", "sql")}
    assert [r["test"] for r in runs["memory"]] == [r["test"] for r in runs["sql"]]
    assert len(runs["memory"]) >= 7 and all(r["passed"] for rs in runs.values() for r in rs), runs
