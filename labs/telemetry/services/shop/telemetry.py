"""What every shop service shares: OpenTelemetry tracing (OTLP/HTTP to the lab's backend), JSON logs that carry
the trace and span ids, RED metrics for Prometheus, and the faults a lab can switch on (slow, errors, stuck)."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry import propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, Sampler, SamplingResult, TraceIdRatioBased
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest

SERVICE = os.environ.get("SERVICE", "service")
OTLP_URL = os.environ.get("OTLP_URL", "http://backend:8000/v1/traces")


# ---- tracing --------------------------------------------------------------------------------------------------------
class Switch(Sampler):
    """A sampler whose ratio can change while the service runs (the chapter compares 100 %, 10 % and 0 %).
    Spans with a sampled parent are always kept, so a trace is kept or dropped as a whole at its root."""

    def __init__(self, ratio: float) -> None:
        self.set(ratio)

    def set(self, ratio: float) -> None:
        self.ratio = ratio
        self._inner = ParentBased(TraceIdRatioBased(ratio))

    def should_sample(self, *args, **kwargs) -> SamplingResult:  # type: ignore[no-untyped-def]
        return self._inner.should_sample(*args, **kwargs)

    def get_description(self) -> str:
        return f"Switch({self.ratio})"


sampler = Switch(float(os.environ.get("SAMPLE_RATIO", "1.0")))
provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}), sampler=sampler)
provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=OTLP_URL), schedule_delay_millis=500))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer(SERVICE)


def inject(carrier: dict[str, str]) -> dict[str, str]:
    """The library's way to propagate: W3C `traceparent` (and `tracestate`) of the current span."""
    propagate.inject(carrier)
    return carrier


# ---- logs: one JSON object per line, with the ids of the span that was current ------------------------------------
class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ctx = trace.get_current_span().get_span_context()
        line = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "service": SERVICE,
            "message": record.getMessage(),
        }
        if ctx.is_valid:
            line["trace_id"] = format(ctx.trace_id, "032x")
            line["span_id"] = format(ctx.span_id, "016x")
        line.update(getattr(record, "fields", {}))
        return json.dumps(line)


handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(JsonFormatter())
log = logging.getLogger(SERVICE)
log.handlers[:] = [handler]
log.setLevel(logging.INFO)
log.propagate = False


# ---- metrics: the RED histogram every service but the edge gets from here -------------------------------------------
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0)
LABELS = ("route", "method", "code")
_duration: list[Histogram] = []  # made by make_app() unless the service brings its own (the edge)


def red_observe(request: Request, status_code: int, seconds: float) -> None:
    _duration[0].labels(route_of(request), request.method, str(status_code)).observe(seconds)


def route_of(request: Request) -> str:
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


# ---- faults ---------------------------------------------------------------------------------------------------------
class Faults:
    """Switched on by the lab (POST /admin/fault), each for a while: slow (seconds added to a share of requests),
    errors (a share of requests fail with 500), stuck (the work never ends)."""

    def __init__(self) -> None:
        self.state: dict[str, dict] = {}
        self.lock = threading.Lock()

    def set(self, kind: str, duration: float, **params: float) -> None:
        with self.lock:
            self.state[kind] = {"until": time.time() + duration, **params}

    def clear(self) -> None:
        with self.lock:
            self.state.clear()

    def active(self, kind: str) -> dict | None:
        with self.lock:
            f = self.state.get(kind)
            return f if f and f["until"] > time.time() else None

    def due(self, kind: str) -> dict | None:
        """The fault, if this request is one of its share. The share is spread evenly (one request in 20 for 0.05),
        not drawn at random: a check that asks for 5 % slow charges gets 5 %, on a busy machine too."""
        with self.lock:
            f = self.state.get(kind)
            if not f or f["until"] <= time.time():
                return None
            f["owed"] = f.get("owed", 0.0) + f.get("share", 1.0)
            if f["owed"] < 1:
                return None
            f["owed"] -= 1
            return f

    def delay(self) -> float:
        f = self.due("slow")
        return f["seconds"] if f else 0.0

    def error(self) -> bool:
        return self.due("errors") is not None


faults = Faults()


def make_app(observe=None) -> FastAPI:  # type: ignore[no-untyped-def]
    """A FastAPI app with tracing, the RED middleware (`observe`, default: the shared histogram), /metrics,
    /health and the fault switch."""
    app = FastAPI(title=SERVICE)
    if observe is None:
        help_text = "HTTP requests served, by route template, method and status code"
        _duration.append(Histogram("http_request_duration_seconds", help_text, labelnames=LABELS, buckets=BUCKETS))
        observe = red_observe

    @app.middleware("http")
    async def red(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.url.path in ("/metrics", "/health") or request.url.path.startswith("/admin"):
            return await call_next(request)
        started = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            try:
                observe(request, status, time.perf_counter() - started)
            except Exception:  # a broken metrics hook must not break the request
                log.exception("metrics hook failed")

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "service": SERVICE}

    @app.post("/admin/fault")
    def fault(body: dict) -> dict:
        if body.get("kind") == "clear":
            faults.clear()
        else:
            params = {k: float(v) for k, v in body.items() if k not in ("kind", "for")}
            faults.set(body["kind"], float(body.get("for", 60)), **params)
        return {"service": SERVICE, "faults": faults.state}

    @app.post("/admin/sampling")
    def sampling(body: dict) -> dict:
        sampler.set(float(body["ratio"]))
        return {"service": SERVICE, "ratio": sampler.ratio}

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return JSONResponse({"detail": "internal error"}, status_code=500)

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="/metrics,/health,/admin/.*", exclude_spans=["receive", "send"]
    )
    return app
