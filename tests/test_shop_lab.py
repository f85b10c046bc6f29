"""The shop lab itself, against a real container: the monolith's trace, the measures, and the checks against
stubs, the obvious wrong splits and the reference answers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import msalab
from msalab import engine, labels
from msalab.checking import run_checks
from msalab.paths import labs_dir, solutions_dir

pytestmark = pytest.mark.docker

sys.path.insert(0, str(labs_dir() / "shop"))
import shopkit as kit  # noqa: E402

EXERCISES = ["shop.measure", "shop.split"]
STUBS = {
    "shop.measure": (
        "def crossing_calls(calls, split):\n    return {}\n\n\ndef longest_chain(calls, split):\n    return {}\n"
    ),
    "shop.split": f"def split():\n    return {{c: 'monolith' for c in {kit.CAPABILITIES!r}}}\n",
}


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    started = msalab.up("shop", quiet=True)
    try:
        yield started
    finally:
        started.down()
        left = engine.client().containers.list(all=True, filters=labels.filters("shop", started.session))
        assert not left, f"the lab left {len(left)} container(s) behind"


def answers(folder: Path, code: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for ex, source in code.items():
        (folder / f"{ex}.py").write_text(source)
    return folder


def test_only_the_monolith_is_published_on_loopback(lab: msalab.Lab) -> None:
    assert lab.url("monolith").startswith("http://127.0.0.1:")
    assert httpx.get(f"{lab.url('monolith')}/health", timeout=10).json() == {"status": "ok"}


def test_the_trace_sees_calls_and_tables_and_ignores_unnamed_requests(lab: msalab.Lab) -> None:
    url = lab.url("monolith")
    httpx.delete(f"{url}/trace", timeout=10)
    httpx.get(f"{url}/catalog/products", timeout=10)  # no X-Use-Case: not recorded
    assert httpx.get(f"{url}/trace", timeout=10).json()["events"] == []
    trace = kit.replay(url, kit.load_workload())
    assert kit.use_cases(trace) == [c["name"] for c in kit.load_workload()]
    pay = [(e["caller"], e["callee"], e["parent"] is None) for e in kit.calls(trace) if e["use_case"] == "pay_order"]
    assert pay == [("order", "payment", True), ("order", "shipping", True), ("shipping", "customer", False)]
    touched = {(e["capability"], e["table"], e["mode"]) for e in trace["events"] if e["kind"] == "table"}
    assert ("order", "cart_items", "read") in touched  # the shortcut, seen by SQLite itself
    assert ("shipping", "order_lines", "read") in touched


def test_replays_measure_the_same(lab: msalab.Lab) -> None:
    one = {c: c for c in kit.CAPABILITIES}
    first, second = (kit.measure(kit.replay(lab.url("monolith"), kit.load_workload()), one) for _ in range(2))
    assert first == second
    assert first["cycles"] == [["order", "shipping"]]
    assert first["shared"] == {"cart_items": ["cart", "order"], "order_lines": ["order", "shipping"]}
    assert max(first["crossing"].values()) == 5 and max(first["chain"].values()) == 2


def test_stubs_and_obvious_splits_earn_nothing_references_everything(lab: msalab.Lab, tmp_path: Path) -> None:
    shipped = run_checks(lab, EXERCISES, answers(tmp_path / "stubs", STUBS), include_hidden=True)
    assert shipped.problem in (None, ""), shipped.problem
    assert shipped.results and not [r.name for r in shipped.results if r.passed]

    per_capability = {"shop.split": f"def split():\n    return {{c: c for c in {kit.CAPABILITIES!r}}}\n"}
    split_up = run_checks(lab, ["shop.split"], answers(tmp_path / "seven", per_capability), include_hidden=True)
    assert split_up.results and not [r.name for r in split_up.results if r.passed]

    reference = {ex: (solutions_dir() / "shop" / "answers" / f"{ex.split('.')[1]}.py").read_text() for ex in EXERCISES}
    solved = run_checks(lab, EXERCISES, answers(tmp_path / "reference", reference), include_hidden=True)
    assert not [(r.name, r.message) for r in solved.results if not r.passed]
    assert all(2 <= len([r for r in solved.results if r.exercise == e]) <= 4 for e in EXERCISES)
    assert any(r.hidden for r in solved.results) and any(not r.hidden for r in solved.results)
