"""Gateway overhead: latency through the edge and the gateway vs. straight to the service, on the lab network.

    .venv/bin/python bench/gateway_overhead.py [N]

Starts the gateway lab and measures from inside the `users` container (a bystander on the lab network, so
neither the host's port forwarding nor the measured path's own CPU is in the numbers) with labs/gateway/probe.py:

    direct            users -> catalog:8000
    traefik           users -> traefik:8081 (an unpublished entry point) -> catalog    Traefik alone
    gateway           users -> gateway:8000 -> catalog                                   the FastAPI gateway alone
    traefik+gateway   users -> traefik:80 -> gateway -> catalog                          what a client's request takes

twice: with the gateway as shipped (routing only), and with the reference identity answer deployed (every
request's RS256 token verified). Prints p50/p99 per path, their ratio to direct, and the lab's memory.
Not a test: the numbers depend on the machine and on whatever else it runs.
"""

from __future__ import annotations

import json
import statistics
import sys

import httpx

import msalab
from msalab import answers
from msalab.exercises import find
from msalab.paths import solutions_dir

PATHS = {
    "direct": "http://catalog:8000/products/1",
    "traefik": "http://traefik:8081/catalog/products/1",
    "gateway": "http://gateway:8000/catalog/products/1",
    "traefik+gateway": "http://traefik:80/catalog/products/1",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(lab: msalab.Lab, n: int, token: str) -> dict[str, list[float]]:
    targets = [f"{label}={url}" for label, url in PATHS.items()]
    done = lab.exec("users", ["python3", "/tmp/probe.py", str(n), token, *targets])
    if done.exit_code != 0:
        raise SystemExit(f"the probe failed: {done.output[-500:]}")
    result = json.loads(done.output)
    bad = {k: v for k, v in result.pop("_status").items() if set(v) != {"200"}}
    if bad:
        raise SystemExit(f"not every answer was 200: {bad}")
    return result


def table(title: str, result: dict[str, list[float]]) -> None:
    base50, base99 = percentile(result["direct"], 0.5), percentile(result["direct"], 0.99)
    print(f"\n{title}")
    print(f"  {'path':<17}{'p50 ms':>9}{'p99 ms':>9}{'mean ms':>9}{'p50 x':>8}{'p99 x':>8}")
    for label, values in result.items():
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        mean = statistics.fmean(values)
        print(f"  {label:<17}{p50:>9.2f}{p99:>9.2f}{mean:>9.2f}{p50 / base50:>8.2f}{p99 / base99:>8.2f}")


def memory(lab: msalab.Lab) -> None:
    print("\nmemory (docker stats, usage without page cache)")
    used = lab.memory_mb()
    for service, mib in used.items():
        print(f"  {service:<10}{mib:>8.1f} MiB")
    print(f"  {'total':<10}{sum(used.values()):>8.1f} MiB")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    lab = msalab.up("gateway")
    try:
        lab.put_files("users", {"probe.py": (lab.spec.path / "probe.py").read_text()}, "/tmp")
        edge = lab.url("traefik")
        token = httpx.post(
            f"{edge}/auth/token", json={"client_id": "loadtest", "client_secret": "loadtest-secret"}, timeout=10
        ).json()["access_token"]
        table(f"gateway as shipped (routing only), {n} requests per path", measure(lab, n, token))
        reference = (solutions_dir() / "gateway" / "answers" / "identity.py").read_text()
        answers.deploy(lab, find("gateway.identity"), reference)
        title = f"with the reference identity (RS256 verified per request), {n} requests per path"
        table(title, measure(lab, n, token))
        memory(lab)
    finally:
        lab.down()


if __name__ == "__main__":
    main()
