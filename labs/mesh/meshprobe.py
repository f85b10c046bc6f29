"""What the mesh lab's checks (and tests) use to look at the mesh from outside: users' requests through the
ingress, calls into a sidecar's mesh port with chosen certificates, and the sidecars' own counters."""

from __future__ import annotations

import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from msalab.lab import Lab

TOOL = (Path(__file__).resolve().parent / "tools" / "meshcall.py").read_text()
MESH = "spiffe://mesh.local/ns/shop/sa/"


def control(lab: Lab) -> str:
    return lab.url("control", "api")


def settle(lab: Lab, timeout: float = 30) -> None:
    """Wait until every sidecar runs the configuration the control plane holds now."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{control(lab)}/ready", timeout=5)
            if answer.status_code == 200:
                return
            last = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"the sidecars did not take the control plane's configuration within {timeout:.0f} s: {last}")


def fault(lab: Lab, target: str, **fields: Any) -> None:
    httpx.put(f"{control(lab)}/faults/{target}", json=fields, timeout=5).raise_for_status()
    settle(lab)


def clear_faults(lab: Lab) -> None:
    httpx.delete(f"{control(lab)}/faults", timeout=5).raise_for_status()
    settle(lab)


def tool(lab: Lab, *args: str) -> Any:
    done = lab.exec("control", ["python3", "-c", TOOL, *args])
    try:
        return json.loads(done.output.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError(f"the mesh probe failed in the control container: {done.output[-400:]}") from None


def call_as(lab: Lab, target: str, mode: str, identity: str = "catalog", path: str = "/ping") -> dict[str, Any]:
    """Call `target`'s sidecar on its mesh port: mode plain | nocert | other-ca | mesh (as `identity`)."""
    return tool(lab, "tls", target, mode, identity, path)  # type: ignore[no-any-return]


def counters(lab: Lab, instance: str, regex: str) -> dict[str, int]:
    """A sidecar's own counters (Envoy's admin /stats) whose names match `regex`."""
    return tool(lab, "stats", instance, regex)  # type: ignore[no-any-return]


def total(lab: Lab, instances: list[str], regex: str) -> int:
    return sum(sum(counters(lab, i, regex).values()) for i in instances)


def users(lab: Lab, n: int, concurrency: int = 8, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """n users' requests through the ingress: status, pricing version, catalog instance, milliseconds."""
    url = f"{lab.url('ingress', 'http')}/products/tea"

    def one(client: httpx.Client) -> dict[str, Any]:
        began = time.perf_counter()
        try:
            answer = client.get(url, headers=headers)
            body = answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}
            status = answer.status_code
        except httpx.HTTPError as exc:
            body, status = {"error": type(exc).__name__}, 0
        return {
            "status": status,
            "version": body.get("pricing_version"),
            "instance": body.get("instance"),
            "ms": (time.perf_counter() - began) * 1000,
        }

    with httpx.Client(timeout=20, limits=httpx.Limits(max_connections=concurrency)) as client:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(lambda _: one(client), range(n)))


def ok_share(results: list[dict[str, Any]]) -> float:
    return sum(r["status"] == 200 for r in results) / max(len(results), 1)


def statuses(results: list[dict[str, Any]]) -> dict[int, int]:
    return dict(Counter(r["status"] for r in results))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def both_catalogs_serve(lab: Lab, timeout: float = 60) -> None:
    """Wait until users reach both catalog instances and the ingress ejects none (an ejection from earlier, when
    pricing failed and catalog passed its errors on, may still be running)."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        seen = {r["instance"] for r in users(lab, 12, concurrency=2) if r["status"] == 200}
        active = total(lab, ["ingress"], r"^cluster\.catalog\.outlier_detection\.ejections_active$")
        if {"catalog-1", "catalog-2"} <= seen and active == 0:
            return
        time.sleep(1)
    raise AssertionError(f"users reached only {sorted(seen)} for {timeout:.0f} s; expected both catalog instances.")


def restart_canary(lab: Lab) -> dict[str, Any]:
    """Start the canary afresh (counts from zero) and wait until the sidecars route by its first weights."""
    answer = httpx.post(f"{control(lab)}/canary/reset", timeout=10)
    answer.raise_for_status()
    settle(lab)
    return answer.json()  # type: ignore[no-any-return]
