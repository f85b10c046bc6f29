"""Blue-green releases of the shop: put a commit's image into the idle slot, switch all traffic to it once it
runs, and switch back at once when needed."""

from __future__ import annotations

import time

import httpx

IMAGE = "registry:5000/shop"  # the registry as production's slots reach it
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


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


def release(urls: dict[str, str], commit: str, live: str) -> str:
    idle = "green" if live == "blue" else "blue"
    # The tag may move later; the digest names these exact bytes forever.
    head = httpx.head(f"{urls['registry']}/v2/shop/manifests/{commit}", headers={"Accept": MANIFEST}, timeout=10)
    head.raise_for_status()
    image = f"{IMAGE}@{head.headers['docker-content-digest']}"
    httpx.post(f"{urls[idle]}/deploy", json={"image": image}, timeout=30).raise_for_status()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state = httpx.get(f"{urls[idle]}/status", timeout=10).json()["state"]
        if state == "running":
            route(urls["router"], {idle: 100})
            return idle
        if state == "failed":
            break
        time.sleep(0.1)
    return live  # the new version never ran: users stay where they were


def rollback(urls: dict[str, str], to: str) -> None:
    route(urls["router"], {to: 100})
