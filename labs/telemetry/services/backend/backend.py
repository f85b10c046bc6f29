"""The lab's telemetry backend, in one small process:

- an OTLP/HTTP trace receiver (POST /v1/traces, protobuf or JSON) that keeps spans in memory and answers queries
  (GET /api/traces, /api/traces/{trace_id}, /api/spans, /api/stats): the course's stand-in for Jaeger or Tempo;
- the webhook sink Alertmanager notifies (POST /alerts), which keeps every notification (GET /alerts);
- a load generator the notebook and the checks control (POST /load, GET /load);
- the lab's fault switch (POST /faults/{service}), passed on to that service inside the lab network.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import threading
import time
from collections import OrderedDict

import httpx
from fastapi import FastAPI, HTTPException, Request
from google.protobuf.json_format import Parse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.responses import Response

SHOP = {"edge", "orders", "payments", "shipping"}
MAX_SPANS = 200_000
KINDS = {0: "UNSPECIFIED", 1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}
STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}

app = FastAPI(title="telemetry backend")
lock = threading.Lock()
traces: OrderedDict[str, list[dict]] = OrderedDict()  # trace id -> spans, oldest trace first
counts = {"spans": 0, "received": 0}
alerts: list[dict] = []


# ---- OTLP receiver --------------------------------------------------------------------------------------------------
def _value(v) -> object:  # type: ignore[no-untyped-def]
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind in ("string_value", "bool_value", "int_value", "double_value") else str(v)


def _span(resource_attrs: dict, s) -> dict:  # type: ignore[no-untyped-def]
    return {
        "trace_id": s.trace_id.hex(),
        "span_id": s.span_id.hex(),
        "parent_span_id": s.parent_span_id.hex() or None,
        "service": resource_attrs.get("service.name", "unknown"),
        "name": s.name,
        "kind": KINDS.get(s.kind, str(s.kind)),
        "start": s.start_time_unix_nano / 1e9,
        "end": s.end_time_unix_nano / 1e9,
        "duration_ms": (s.end_time_unix_nano - s.start_time_unix_nano) / 1e6,
        "status": STATUS.get(s.status.code, str(s.status.code)),
        "attributes": {a.key: _value(a.value) for a in s.attributes},
    }


@app.post("/v1/traces")
async def receive(request: Request) -> Response:
    body = await request.body()
    message = ExportTraceServiceRequest()
    if request.headers.get("content-type", "").startswith("application/json"):
        Parse(body, message)  # OTLP/JSON: ids are hex there, which protobuf's JSON parser reads as base64
    else:
        message.ParseFromString(body)
    spans = []
    for rs in message.resource_spans:
        res = {a.key: _value(a.value) for a in rs.resource.attributes}
        for ss in rs.scope_spans:
            spans += [_span(res, s) for s in ss.spans]
    with lock:
        for s in spans:
            traces.setdefault(s["trace_id"], []).append(s)
            traces.move_to_end(s["trace_id"])
        counts["spans"] += len(spans)
        counts["received"] += len(spans)
        while counts["spans"] > MAX_SPANS:
            _, dropped = traces.popitem(last=False)
            counts["spans"] -= len(dropped)
    return Response(ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf")


def _summary(tid: str, spans: list[dict]) -> dict:
    ids = {s["span_id"] for s in spans}
    roots = [s for s in spans if not s["parent_span_id"] or s["parent_span_id"] not in ids]
    root = min(roots or spans, key=lambda s: s["start"])
    return {
        "trace_id": tid,
        "root": f"{root['service']}: {root['name']}",
        "start": min(s["start"] for s in spans),
        "duration_ms": (max(s["end"] for s in spans) - min(s["start"] for s in spans)) * 1000,
        "spans": len(spans),
        "services": sorted({s["service"] for s in spans}),
        "error": any(s["status"] == "ERROR" for s in spans),
    }


@app.get("/api/traces")
def find_traces(
    service: str | None = None, name: str | None = None, error: bool | None = None, since: float = 0,
    min_ms: float = 0, limit: int = 20,
) -> list[dict]:
    """Trace summaries, newest first: with a span of `service` (named `name`), in error or not, since a time."""
    found = []
    with lock:
        items = [(tid, list(spans)) for tid, spans in reversed(traces.items())]
    for tid, spans in items:
        summary = _summary(tid, spans)
        if summary["start"] < since:
            continue
        if (service or name) and not any(
            (service is None or s["service"] == service) and (name is None or s["name"] == name) for s in spans
        ):
            continue
        if error is not None and summary["error"] != error:
            continue
        if summary["duration_ms"] < min_ms:
            continue
        found.append(summary)
        if len(found) >= limit:
            break
    return found


@app.get("/api/traces/{trace_id}")
def one_trace(trace_id: str) -> list[dict]:
    with lock:
        spans = list(traces.get(trace_id.lower(), []))
    if not spans:
        raise HTTPException(404, f"no spans of trace {trace_id} (yet)")
    return sorted(spans, key=lambda s: s["start"])


@app.get("/api/spans")
def find_spans(service: str | None = None, name: str | None = None, since: float = 0, limit: int = 1000) -> list:
    """Spans, newest first, of a service and/or operation name."""
    out = []
    with lock:
        everything = [s for spans in reversed(traces.values()) for s in spans]
    for s in everything:
        if (service is None or s["service"] == service) and (name is None or s["name"] == name) and s["start"] >= since:
            out.append(s)
            if len(out) >= limit:
                break
    return out


@app.get("/api/stats")
def stats() -> dict:
    with lock:
        return {"traces": len(traces), "spans": counts["spans"], "received": counts["received"]}


@app.delete("/api/traces")
def forget() -> dict:
    with lock:
        traces.clear()
        counts["spans"] = 0
    return {"traces": 0}


# ---- Alertmanager's webhook sink ------------------------------------------------------------------------------------
@app.post("/alerts")
async def notified(request: Request) -> dict:
    payload = await request.json()
    payload["received"] = time.time()
    with lock:
        alerts.append(payload)
    return {"kept": len(alerts)}


@app.get("/alerts")
def notifications(since: float = 0) -> list[dict]:
    """Every notification Alertmanager sent, oldest first; each has status, alerts[] and the time received."""
    with lock:
        return [a for a in alerts if a["received"] >= since]


# ---- load generator -------------------------------------------------------------------------------------------------
EDGE = "http://edge:8000"
load: dict = {"running": False, "runs": 0}
serial = itertools.count(1)


async def _one(client: httpx.AsyncClient, mix: dict, declined: float, results: list) -> None:
    route = random.choices(list(mix), weights=list(mix.values()))[0]
    started = time.perf_counter()
    try:
        if route == "orders":
            card = "0000" if random.random() < declined else "4242"
            r = await client.post(f"{EDGE}/shop/orders", json={"id": f"o{next(serial)}", "card": card, "amount": 12})
        else:
            r = await client.get(f"{EDGE}/shop/products/{random.randint(1, 100)}")
        code = r.status_code
    except httpx.HTTPError:
        code = 0
    results.append((time.time(), route, code, time.perf_counter() - started))


async def _run(run: int, rps: float, seconds: float, mix: dict, declined: float, results: list) -> None:
    """One load; it stops when stopped or replaced by a newer load, and only its own end marks the load finished (a
    stopped load that wakes after a newer one started must neither go on nor cut the newer one short)."""
    tasks = []
    async with httpx.AsyncClient(timeout=15, limits=httpx.Limits(max_connections=50)) as client:
        start = time.perf_counter()
        for i in range(int(rps * seconds)):
            delay = start + i / rps - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if not load["running"] or load["runs"] != run:
                break
            tasks.append(asyncio.create_task(_one(client, mix, declined, results)))
        await asyncio.gather(*tasks)
    if load["runs"] == run:
        load["running"] = False


@app.post("/load")
async def start_load(body: dict) -> dict:
    """Start a load: {"rps": 20, "seconds": 30, "mix": {"products": 3, "orders": 1}, "declined": 0.02}."""
    if load["running"]:
        raise HTTPException(409, "a load is already running; POST /load/stop first")
    results: list = []
    load.update(running=True, runs=load["runs"] + 1, results=results, started=time.time(), spec=body)
    asyncio.get_running_loop().create_task(
        _run(load["runs"], float(body.get("rps", 10)), float(body.get("seconds", 10)), body.get("mix", {"products": 3, "orders": 1}),
             float(body.get("declined", 0.0)), results)
    )
    return {"started": load["started"]}


@app.post("/load/stop")
def stop_load() -> dict:
    load["running"] = False
    return {"stopped": True}


@app.get("/load")
def load_status() -> dict:
    """The current (or last) load: running, and one row per request: [time, route, status (0: no answer), seconds]."""
    return {"running": load["running"], "spec": load.get("spec"), "started": load.get("started"),
            "results": list(load.get("results", []))}


# ---- faults ---------------------------------------------------------------------------------------------------------
@app.post("/faults/{service}")
def fault(service: str, body: dict) -> dict:
    """Switch a fault on in a shop service: {"kind": "slow", "seconds": 0.3, "share": 1, "for": 60},
    {"kind": "errors", "share": 0.4, "for": 30}, {"kind": "stuck", "for": 30} or {"kind": "clear"}."""
    if service not in SHOP:
        raise HTTPException(404, f"no shop service {service}; one of {sorted(SHOP)}")
    answer = httpx.post(f"http://{service}:8000/admin/fault", json=body, timeout=5)
    if answer.status_code != 200:
        raise HTTPException(502, f"{service} refused the fault {body}: {answer.status_code} {answer.text[:200]}")
    return answer.json()


@app.post("/sampling")
def sampling(body: dict) -> dict:
    """Set the share of traces kept, decided at the edge (the others follow their parent): {"ratio": 0.1}."""
    return {s: httpx.post(f"http://{s}:8000/admin/sampling", json=body, timeout=5).json()["ratio"] for s in SHOP}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
