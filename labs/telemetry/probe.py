"""What the telemetry lab's checks (public and hidden) and tests read: the backend's trace and alert API,
Prometheus' HTTP API, the edge's /metrics and the broker's management API. One client, every reader."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

ALERT = "OrdersErrorBudgetBurn"


def wait_for(condition: Callable[[], Any], timeout: float, every: float = 0.3) -> Any:
    """condition()'s first truthy value within timeout seconds, else its last (falsy) value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def new_context(sampled: bool = True) -> tuple[str, str, str]:
    """(trace id, span id, traceparent header) of a made-up caller."""
    tid, sid = secrets.token_hex(16), secrets.token_hex(8)
    return tid, sid, f"00-{tid}-{sid}-{'01' if sampled else '00'}"


class Telemetry:
    def __init__(self, lab: Any) -> None:
        self.lab = lab
        self.backend = lab.url("backend")
        self.edge = lab.url("edge")
        self.prom = lab.url("prometheus")
        self.mgmt = lab.url("broker", "management")
        self.http = httpx.Client(timeout=15)

    def prometheus_ready(self, timeout: float = 30) -> bool:
        """Prometheus answers (it may be restarting with a new rules file)."""

        def ready() -> bool:
            try:
                return self.http.get(f"{self.prom}/-/ready").status_code == 200
            except httpx.HTTPError:
                return False

        return wait_for(ready, timeout)

    # ---- traces ------------------------------------------------------------------------------------------------
    def spans(self, trace_id: str) -> list[dict]:
        r = self.http.get(f"{self.backend}/api/traces/{trace_id}")
        return r.json() if r.status_code == 200 else []

    def span_where(self, trace_id: str, timeout: float = 10, **match: Any) -> dict | None:
        """The first span of trace_id whose fields equal match, waiting for it up to timeout seconds."""

        def found() -> dict | None:
            return next((s for s in self.spans(trace_id) if all(s.get(k) == v for k, v in match.items())), None)

        return wait_for(found, timeout)

    def find_spans(self, **params: Any) -> list[dict]:
        return self.http.get(f"{self.backend}/api/spans", params=params).json()

    # ---- the shop ----------------------------------------------------------------------------------------------
    def order(self, traceparent: str | None = None, card: str = "4242") -> httpx.Response:
        headers = {"traceparent": traceparent} if traceparent else {}
        return self.http.post(f"{self.edge}/shop/orders", json={"card": card, "amount": 12}, headers=headers)

    def fault(self, service: str, kind: str, **params: float) -> None:
        self.http.post(f"{self.backend}/faults/{service}", json={"kind": kind, **params}).raise_for_status()

    def clear_faults(self) -> None:
        for service in ("edge", "orders", "payments", "shipping"):
            self.fault(service, "clear")

    # ---- load --------------------------------------------------------------------------------------------------
    def start_load(self, rps: float, seconds: float, **spec: Any) -> None:
        self.http.post(f"{self.backend}/load/stop")
        wait_for(lambda: not self.http.get(f"{self.backend}/load").json()["running"], 30)
        self.http.post(f"{self.backend}/load", json={"rps": rps, "seconds": seconds, **spec}).raise_for_status()

    def finish_load(self, timeout: float = 60) -> list[list]:
        wait_for(lambda: not self.http.get(f"{self.backend}/load").json()["running"], timeout)
        return self.http.get(f"{self.backend}/load").json()["results"]

    # ---- Prometheus and the alert sink ---------------------------------------------------------------------------
    def query(self, promql: str, at: float | None = None) -> list[dict]:
        params = {"query": promql, **({"time": at} if at else {})}
        body = self.http.get(f"{self.prom}/api/v1/query", params=params).json()
        if body.get("status") != "success":
            raise ValueError(body.get("error", body))
        return body["data"]["result"]

    def rule(self, name: str = ALERT) -> dict | None:
        groups = self.http.get(f"{self.prom}/api/v1/rules").json()["data"]["groups"]
        return next((r for g in groups for r in g["rules"] if r.get("name") == name and r["type"] == "alerting"), None)

    def notifications(self, since: float, name: str = ALERT, status: str | None = None) -> list[dict]:
        out = []
        for n in self.http.get(f"{self.backend}/alerts", params={"since": since}).json():
            for a in n.get("alerts", []):
                if a["labels"].get("alertname") == name and (status is None or a["status"] == status):
                    out.append({**a, "received": n["received"]})
        return out

    # ---- the edge's own metrics ---------------------------------------------------------------------------------
    def edge_metrics(self) -> dict[tuple, float]:
        """Samples of http_request_duration_seconds at the edge: {(sample name, ((label, value), ...)): value}."""
        from prometheus_client.parser import text_string_to_metric_families

        text = self.http.get(f"{self.edge}/metrics").text
        out: dict[tuple, float] = {}
        for family in text_string_to_metric_families(text):
            if family.name != "http_request_duration_seconds":
                continue
            for s in family.samples:
                out[(s.name, tuple(sorted(s.labels.items())))] = s.value
        return out

    # ---- the broker ------------------------------------------------------------------------------------------------
    def publish(self, body: dict, headers: dict[str, str] | None = None) -> None:
        payload = {
            "properties": {"headers": headers or {}, "content_type": "application/json", "delivery_mode": 2},
            "routing_key": "shipments",
            "payload": json.dumps(body),
            "payload_encoding": "string",
        }
        r = self.http.post(f"{self.mgmt}/api/exchanges/%2F/amq.default/publish", json=payload, auth=("guest", "guest"))
        r.raise_for_status()
        if not r.json().get("routed"):
            raise RuntimeError("the broker routed the message to no queue: is there a queue 'shipments' yet?")

    def peek(self, count: int = 20) -> list[dict]:
        """Messages waiting in shipments (they stay there): their properties and payloads."""
        r = self.http.post(
            f"{self.mgmt}/api/queues/%2F/shipments/get",
            json={"count": count, "ackmode": "ack_requeue_true", "encoding": "auto"},
            auth=("guest", "guest"),
        )
        return r.json() if r.status_code == 200 else []
