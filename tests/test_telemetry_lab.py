"""The telemetry lab against real containers: what the chapter promises really happens, and its checks can fail.

With the reference answers one order is one trace from the edge to the queue's consumer, and the orders log carries
its trace id; for every exercise at least one careless answer (a header of its own, a leaked context, raw paths as
labels, a quantile without `sum by`, an alert on any error or on one long window) loses the point it deserves to
lose. That the shipped stubs earn nothing and the references everything is graded as a class would be, with every
check, by tests/test_chapter_grades.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import msalab
from conftest import REPO
from msalab import answers
from msalab.checkrun import run_one
from msalab.checks import CheckContext, load_checks
from msalab.exercises import find

pytestmark = pytest.mark.docker

EXERCISES = ("propagate", "consume", "diagnose", "red", "p99", "slo")


def _probe() -> ModuleType:
    name = "msalab_telemetry_probe"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "labs" / "telemetry" / "probe.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[name]


probe = _probe()


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    # Only this module's own lab is removed afterwards: other labs on the engine are left alone.
    started = msalab.up("telemetry", quiet=True)
    yield started
    started.down()


def reference(name: str) -> str:
    return (REPO / "solutions" / "telemetry" / "answers" / f"{name}.py").read_text()


def verdicts(lab: msalab.Lab, name: str, code: str, tmp_path: Path, only: set[str] | None = None) -> dict:
    """Every check (public and hidden) of one exercise, or those in `only`, with `code` as its answer."""
    ex = find(f"telemetry.{name}")
    answer = tmp_path / f"{ex.id}.py"
    answer.write_text(code)
    if ex.kind == "service":
        answers.deploy(lab, ex, code)
    ctx = CheckContext(lab, ex, answer)
    specs = [s for s in load_checks("telemetry", include_hidden=True) if s.exercise == ex.id]
    return {s.name: run_one(s, ctx) for s in specs if only is None or s.name in only}


def test_only_the_declared_ports_are_published_on_loopback(lab: msalab.Lab) -> None:
    published = {}
    for service in lab.services:
        bindings = lab.container(service).attrs["HostConfig"]["PortBindings"] or {}
        assert {b["HostIp"] for bs in bindings.values() for b in bs} <= {"127.0.0.1"}
        if bindings:
            published[service] = sorted(bindings)
    assert published == {
        "alertmanager": ["9093/tcp"],
        "backend": ["8000/tcp"],
        "broker": ["15672/tcp"],
        "edge": ["8000/tcp"],
        "prometheus": ["9090/tcp"],
    }


def test_with_the_references_one_order_is_one_trace_and_its_log_line_names_it(lab: msalab.Lab, tmp_path: Path) -> None:
    for name in ("propagate", "consume"):
        answers.deploy(lab, find(f"telemetry.{name}"), reference(name))
    t = probe.Telemetry(lab)
    tid, _, traceparent = probe.new_context()
    r = t.order(traceparent)
    assert r.status_code == 201, r.text
    spans = probe.wait_for(lambda: len(t.spans(tid)) >= 8 and t.spans(tid), 15)
    assert spans, t.spans(tid)
    assert {s["service"] for s in spans} == {"edge", "orders", "payments", "shipping"}
    ids = {s["span_id"] for s in spans}
    assert all(s["parent_span_id"] in ids for s in spans if s["service"] != "edge" or s["kind"] != "SERVER")
    oid = r.json()["id"]
    lines = [json.loads(x) for x in lab.logs("orders", tail=200).splitlines() if x.startswith("{")]
    placed = [x for x in lines if x.get("order_id") == oid]
    assert placed and placed[-1]["trace_id"] == tid, placed


def test_a_header_of_its_own_or_a_fixed_sampled_flag_loses_propagate(lab: msalab.Lab, tmp_path: Path) -> None:
    ref = reference("propagate")
    own = ref.replace(
        'carrier["traceparent"] = f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"',
        'carrier["X-Trace-Id"] = f"{ctx.trace_id:032x}"',
    )
    assert own != ref
    v = verdicts(lab, "propagate", own, tmp_path)
    assert not v["http_hop_joins_the_trace"].passed and "traceparent" in v["http_hop_joins_the_trace"].message
    fixed = ref.replace("{ctx.trace_flags:02x}", "01")
    assert fixed != ref
    v = verdicts(lab, "propagate", fixed, tmp_path)
    assert v["http_hop_joins_the_trace"].passed
    msg = v["message_carries_the_context"]
    assert not msg.passed and "sampled flag" in msg.message, msg.message


def test_an_attached_context_never_detached_loses_consume(lab: msalab.Lab, tmp_path: Path) -> None:
    ref = reference("consume")
    leaky = ref.replace(
        "from opentelemetry import propagate, trace", "from opentelemetry import context, propagate, trace"
    )
    # Attaches the message's context only when there is one, and never detaches it: it stays current.
    leaky = leaky.replace(
        'with tracer.start_as_current_span("shipments process", context=parent, kind=SpanKind.CONSUMER):',
        "if message.headers:\n        context.attach(parent)\n"
        '    with tracer.start_as_current_span("shipments process", kind=SpanKind.CONSUMER):',
    )
    assert leaky.count("context.attach") == 1
    v = verdicts(lab, "consume", leaky, tmp_path)
    assert v["consumer_continues_the_trace"].passed
    assert not v["contexts_do_not_leak"].passed, v["contexts_do_not_leak"].message


def test_the_longest_span_instead_of_its_own_time_loses_diagnose(lab: msalab.Lab, tmp_path: Path) -> None:
    """The longest span is usually the root or a parent, which only waits for the slow one: of two different
    faults, the check's two rounds, at least one is misnamed that way."""
    ref = reference("diagnose")
    longest = ref.replace(
        'own[(s["service"], s["name"])].append(s["end"] - s["start"] - covered)',
        'own[(s["service"], s["name"])].append(s["end"] - s["start"])',
    )
    assert longest != ref
    v = verdicts(lab, "diagnose", longest, tmp_path)["names_the_slow_operation"]
    assert not v.passed and "own time" in v.message, v.message


def test_raw_paths_or_default_buckets_lose_red(lab: msalab.Lab, tmp_path: Path) -> None:
    ref = reference("red")
    raw = ref.replace("DURATION.labels(template,", "DURATION.labels(request.url.path,")
    assert raw != ref
    v = verdicts(lab, "red", raw, tmp_path, only={"counted_by_route_method_code"})
    assert not v["counted_by_route_method_code"].passed and "template" in v["counted_by_route_method_code"].message
    default = ref.replace("    buckets=BUCKETS,\n", "")
    assert default != ref
    v = verdicts(lab, "red", default, tmp_path, only={"buckets_fit_the_objective", "counted_by_route_method_code"})
    assert v["counted_by_route_method_code"].passed
    assert not v["buckets_fit_the_objective"].passed and "0.3 s" in v["buckets_fit_the_objective"].message


def test_a_quantile_without_sum_or_of_the_wrong_rank_loses_p99(lab: msalab.Lab, tmp_path: Path) -> None:
    ref = reference("p99")
    unsummed = ref.replace(
        "sum by (le, route) (rate(http_request_duration_seconds_bucket[1m]))",
        "rate(http_request_duration_seconds_bucket[1m])",
    )
    assert unsummed != ref
    v = verdicts(lab, "p99", unsummed, tmp_path)["p99_per_route"]
    assert not v.passed and "exactly one value per route" in v.message, v.message
    p90 = ref.replace("histogram_quantile(0.99,", "histogram_quantile(0.9,")
    assert p90 != ref
    v = verdicts(lab, "p99", p90, tmp_path)["p99_per_route"]
    assert not v.passed and "99th percentile" in v.message, v.message


def test_an_alert_on_any_error_or_on_one_long_window_loses_slo(lab: msalab.Lab, tmp_path: Path) -> None:
    ref = reference("slo")
    alert = "expr: orders:errors:ratio_rate1m > 10 * 0.01 and orders:errors:ratio_rate10s > 10 * 0.01"
    assert alert in ref
    any_error = ref.replace(alert, "expr: orders:errors:ratio_rate1m > 0")
    v = verdicts(lab, "slo", any_error, tmp_path, only={"silent_under_normal_load"})["silent_under_normal_load"]
    assert not v.passed and "fired under normal load" in v.message, v.message
    long_only = ref.replace(alert, "expr: orders:errors:ratio_rate1m > 10 * 0.01")
    started = time.monotonic()
    v = verdicts(lab, "slo", long_only, tmp_path, only={"pages_on_a_burst"})["pages_on_a_burst"]
    assert not v.passed and "still not resolved" in v.message, (v.message, time.monotonic() - started)
