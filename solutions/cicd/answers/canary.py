"""A canary release of the shop: a little traffic first, more in steps, back to the stable slot by itself when
the canary fails more often than the stable version."""

from __future__ import annotations

import re
import time

import httpx

IMAGE = "registry:5000/shop"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
SERIES = re.compile(r'^traefik_service_requests_total\{code="(\d+)".*service="(blue|green)@rest"\} (\S+)$')


def route(router: str, weights: dict[str, int]) -> None:
    """Give Traefik its whole routing configuration: the shop's traffic split over the slots by weight."""
    servers = {c: {"loadBalancer": {"servers": [{"url": f"http://{c}:8000"}]}} for c in ("blue", "green")}
    split = [{"name": c, "weight": w} for c, w in weights.items() if w > 0]
    config = {
        "http": {
            "routers": {"shop": {"rule": "PathPrefix(`/`)", "service": "shop", "entryPoints": ["web"]}},
            "services": {**servers, "shop": {"weighted": {"services": split}}},
        }
    }
    httpx.put(f"{router}/api/providers/rest", json=config, timeout=10).raise_for_status()


def counts(router: str) -> dict[str, tuple[float, float]]:
    """Requests and server errors (5xx) each slot has answered through the router so far, from its metrics."""
    out = {"blue": [0.0, 0.0], "green": [0.0, 0.0]}
    for line in httpx.get(f"{router}/metrics", timeout=10).text.splitlines():
        if m := SERIES.match(line):
            code, colour, value = m.groups()
            out[colour][0] += float(value)
            if code.startswith("5"):
                out[colour][1] += float(value)
    return {c: (r, e) for c, (r, e) in out.items()}


def canary(
    urls: dict[str, str], commit: str, stable: str, steps: tuple[int, ...] = (10, 25, 50, 100), hold: float = 2.0
) -> str:
    new = "green" if stable == "blue" else "blue"
    head = httpx.head(f"{urls['registry']}/v2/shop/manifests/{commit}", headers={"Accept": MANIFEST}, timeout=10)
    head.raise_for_status()
    httpx.post(
        f"{urls[new]}/deploy", json={"image": f"{IMAGE}@{head.headers['docker-content-digest']}"}, timeout=30
    ).raise_for_status()
    deadline = time.monotonic() + 30
    while (state := httpx.get(f"{urls[new]}/status", timeout=10).json()["state"]) == "starting":
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if state != "running":
        route(urls["router"], {stable: 100})
        return "rolled back"
    for weight in steps:
        route(urls["router"], {stable: 100 - weight, new: weight})
        before = counts(urls["router"])
        time.sleep(hold)
        after = counts(urls["router"])
        seen = {c: (after[c][0] - before[c][0], after[c][1] - before[c][1]) for c in after}
        requests, errors = seen[new]
        stable_ratio = seen[stable][1] / seen[stable][0] if seen[stable][0] else 0.0
        if requests >= 3 and errors / requests > stable_ratio + 0.05:
            route(urls["router"], {stable: 100})
            return "rolled back"
    return "promoted"
