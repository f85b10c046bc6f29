"""RED metrics of the edge: Rate, Errors and Duration of every request, for Prometheus to scrape at /metrics.

The edge calls observe() once per request it served (not for /metrics, /health, /admin).
Exercise telemetry.red: record each request in ONE histogram that Prometheus can slice per route:
  - name `http_request_duration_seconds` (prometheus_client adds _bucket, _count and _sum),
  - labels `route` (the route's template, such as /shop/products/{pid}), `method` and `code` (the status, "200"),
  - buckets that fit this shop: its latency objective is 300 ms, and its requests take from a few ms to seconds.
"""

from __future__ import annotations

from fastapi import Request


def observe(request: Request, status_code: int, seconds: float) -> None:
    """Record one request: its route, method, status code and how long it took, in seconds."""
