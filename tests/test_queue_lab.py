"""The queue lab's own behaviour against real containers: what the chapter promises really happens.

The sync-vs-queue demo really loses requests over HTTP and none over the queue; killing workers mid-stream loses
orders with the shipped worker and none with the reference answer; a broker restart keeps persistent messages in a
durable queue only; a poison message really loops until it is taken out; the SMTP sink keeps what it receives.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import uuid
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest
from kombu import Connection, Queue

import msalab
from conftest import REPO
from msalab import answers
from msalab.exercises import find

pytestmark = pytest.mark.docker


def _probe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("msalab_queue_probe", REPO / "labs" / "queue" / "probe.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.setdefault("msalab_queue_probe", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


probe = _probe()


@pytest.fixture(scope="module")
def lab(docker_engine: None) -> Iterator[msalab.Lab]:
    # Only this module's own lab is removed afterwards: other labs on the engine are left alone.
    started = msalab.up("queue", quiet=True)
    yield started
    started.down()


def deploy(lab: msalab.Lab, exercise: str, source: str) -> None:
    answers.deploy(lab, find(f"queue.{exercise}"), source)


def reference(exercise: str) -> str:
    return (REPO / "solutions" / "queue" / "answers" / f"{exercise}.py").read_text()


def stub(path: str) -> str:
    return (REPO / "labs" / "queue" / "services" / path).read_text()


def test_only_the_declared_ports_are_published_on_loopback(lab: msalab.Lab) -> None:
    published = {}
    for service in lab.services:
        bindings = lab.container(service).attrs["HostConfig"]["PortBindings"] or {}
        assert {b["HostIp"] for bs in bindings.values() for b in bs} <= {"127.0.0.1"}
        if bindings:
            published[service] = sorted(bindings)
    assert published == {
        "broker": ["15672/tcp", "5672/tcp"],
        "catalog": ["8000/tcp"],
        "mail": ["8025/tcp"],
        "orders": ["8000/tcp"],
        "redis": ["6379/tcp"],
    }
    assert lab.url("broker", "amqp").startswith("amqp://guest:guest@127.0.0.1:")


def test_a_dead_callee_loses_http_requests_but_not_queued_ones(lab: msalab.Lab) -> None:
    p = probe.Probe(lab)
    run = f"t-{uuid.uuid4().hex[:6]}"
    lab.kill("shipping")
    try:
        via_http = [
            httpx.post(f"{p.orders_url}/checkout", params={"via": "http"}, json={"id": f"h{i}", "run": run}, timeout=5)
            for i in range(5)
        ]
        via_queue = [
            httpx.post(f"{p.orders_url}/checkout", params={"via": "queue"}, json={"id": f"q{i}", "run": run}, timeout=5)
            for i in range(5)
        ]
    finally:
        lab.start("shipping")
    assert [a.status_code for a in via_http] == [503] * 5
    assert [a.status_code for a in via_queue] == [200] * 5
    assert probe.wait_for(lambda: p.r.scard(f"shipped:{run}") >= 5, timeout=15)
    time.sleep(0.5)
    assert p.r.smembers(f"shipped:{run}") == {f"q{i}" for i in range(5)}, "only the queued requests were shipped"


def lost_in_a_worker_crash(p) -> int:  # type: ignore[no-untyped-def]
    ids = [p.place(work=0.3) for _ in range(9)]
    try:
        assert probe.wait_for(lambda: p.attempts(ids) >= 3, timeout=15)
        p.kill_workers()
    finally:
        p.start_workers()
    p.settle(ids)
    return sum(1 for n in p.effects(ids).values() if n == 0)


def test_killing_workers_mid_stream_loses_orders_until_they_ack_after_the_work(lab: msalab.Lab) -> None:
    p = probe.Probe(lab)
    assert lost_in_a_worker_crash(p) >= 1, "the shipped worker acks on arrival: a crash must lose the orders in hand"
    deploy(lab, "reliable", reference("reliable"))
    try:
        assert lost_in_a_worker_crash(p) == 0
        assert p.queue(probe.ORDERS_QUEUE)["durable"] is True
    finally:
        deploy(lab, "reliable", stub("worker/reliable.py"))


def test_a_broker_restart_keeps_persistent_messages_in_durable_queues_only(lab: msalab.Lab) -> None:
    amqp = lab.url("broker", "amqp")
    kept, gone = Queue(f"t.durable.{uuid.uuid4().hex[:6]}", durable=True), Queue("t.not-durable", durable=False)
    with Connection(amqp) as conn:
        producer = conn.Producer()
        for mode in ("persistent", "transient"):
            producer.publish({"mode": mode}, routing_key=kept.name, declare=[kept], delivery_mode=mode)
        producer.publish({}, routing_key=gone.name, declare=[gone], delivery_mode="persistent")
    lab.restart("broker")
    with Connection(amqp) as conn:
        assert kept(conn.channel()).queue_declare(passive=True).message_count == 1
        with pytest.raises(Exception, match="NOT_FOUND"):
            Queue(gone.name, durable=False)(conn.channel()).queue_declare(passive=True)
        kept(conn.channel()).delete()
    p = probe.Probe(lab)
    # Every client of the broker comes back by itself: the workers consume again, orders publishes again.
    assert probe.wait_for(lambda: (p.queue(probe.ORDERS_QUEUE) or {}).get("consumers") == 3, timeout=30)
    order = p.place(work=0.01)
    assert probe.wait_for(lambda: p.count("effects", order) == 1, timeout=10)


def test_the_management_api_counts_deliveries_within_seconds(lab: msalab.Lab) -> None:
    # The checks read the broker's counters (deliveries, redeliveries); lab.toml has it sample them every second
    # instead of every 5 s, so that a check sees what just happened.
    p = probe.Probe(lab)

    def delivered() -> int:
        return p.stats().get("deliver_get", 0)

    before = delivered()
    for _ in range(2):
        p.place(work=0.01)
    assert probe.wait_for(lambda: delivered() > before, timeout=10, step=0.05), "the counter moved: a sample was taken"
    seen = delivered()
    ids = [p.place(work=0.01) for _ in range(3)]
    assert probe.wait_for(lambda: all(p.effects(ids).values()), timeout=5)
    assert probe.wait_for(lambda: delivered() >= seen + 3, timeout=2.5), "the next sample came within seconds"


def test_a_poison_message_loops_until_taken_out(lab: msalab.Lab) -> None:
    p = probe.Probe(lab)
    deploy(lab, "reliable", reference("reliable"))  # with ack on arrival the poison would vanish at once
    try:
        poison = p.place(id=p.new_id("poison"), poison=True)
        assert probe.wait_for(lambda: p.count("attempts", poison) > 50, timeout=10), "requeued forever, quickly"
        p.drain_poison()
        settled = p.count("attempts", poison)
        time.sleep(1)
        assert p.count("attempts", poison) == settled, "after draining, nobody works on the poison any more"
        assert probe.wait_for(lambda: p.depth() == 0, timeout=5), "the management API sees the queue empty"
    finally:
        deploy(lab, "reliable", stub("worker/reliable.py"))


def test_the_smtp_sink_keeps_what_it_receives(lab: msalab.Lab) -> None:
    address = f"t-{uuid.uuid4().hex[:6]}@example.test"
    sent = lab.exec("shop", ["python3", "-c", f"from mail import send_mail; send_mail({address!r}, 'Hi', 'Body')"])
    assert sent.exit_code == 0, sent.output
    mails = [m for m in httpx.get(f"{lab.url('mail')}/messages", timeout=10).json() if address in m["to"]]
    assert [(m["subject"], m["body"].strip()) for m in mails] == [("Hi", "Body")]


def test_the_cache_stub_goes_to_the_database_every_time(lab: msalab.Lab) -> None:
    url = lab.url("catalog")
    before = httpx.get(f"{url}/stats", timeout=10).json()["db_reads"]
    answers_ms = [httpx.get(f"{url}/products/SKU-7", timeout=10).json()["ms"] for _ in range(3)]
    assert httpx.get(f"{url}/stats", timeout=10).json()["db_reads"] - before == 3
    assert min(answers_ms) >= 45, "the database is slow on purpose: 50 ms a query"
