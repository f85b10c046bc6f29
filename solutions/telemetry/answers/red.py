"""RED metrics of the edge: Rate, Errors and Duration of every request, for Prometheus to scrape at /metrics."""

from __future__ import annotations

from fastapi import Request
from prometheus_client import Histogram

# Fine where the objective is (300 ms), coarse far from it; 12 buckets x routes x methods x codes series.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0)

DURATION = Histogram(
    "http_request_duration_seconds",
    "Requests the edge served, by route template, method and status code",
    ["route", "method", "code"],
    buckets=BUCKETS,
)


def observe(request: Request, status_code: int, seconds: float) -> None:
    """Record one request: its route, method, status code and how long it took, in seconds."""
    route = request.scope.get("route")
    # The template (/shop/products/{pid}), never the path (/shop/products/17): one series per route, not per id.
    template = getattr(route, "path", "unmatched")
    DURATION.labels(template, request.method, str(status_code)).observe(seconds)
