"""Benchmark: how fast a lab starts and goes, and what it costs in memory. Not a test: it prints a table.

For each lab, in the same run and with the images present:
- msalab: `msalab.up(lab)` (parallel waves) until every container is ready, then `lab.down()`;
- baseline: the same containers started one by one with the plain docker CLI (`docker create`, `docker cp`
  of the source, `docker start`) in dependency order, waited for with the same readiness probes;
- slowest: the longest single container's own time from `docker start` to ready, within the baseline;
- memory: the sum of the containers' memory in use (without page cache) once the lab is ready.

Usage: .venv/bin/python bench/lab_start.py [LAB ...] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import msalab
from msalab import cleanup, engine, images, readiness
from msalab.runtime import SOURCE_ROOT
from msalab.topology import LabSpec, ServiceSpec, available_labs, load_lab

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone


def docker(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()


def baseline(spec: LabSpec) -> tuple[float, float, float]:
    """(total seconds to all ready, slowest single readiness, teardown seconds) with the plain docker CLI.

    Each wave's containers are created and started one by one; then their readiness is awaited side by side
    (awaiting one before starting the next would deadlock a service that waits for a sibling at start)."""
    tag = f"bench-{uuid.uuid4().hex[:6]}"
    started = time.monotonic()
    docker("network", "create", tag)
    ids, slowest = [], 0.0
    try:
        for wave in spec.waves():
            begun: dict[str, tuple[str, float]] = {}
            for s in wave:
                cid = docker(*_create_args(tag, s))
                ids.append(cid)
                if s.source is not None:
                    docker("cp", str(s.source), f"{cid}:{SOURCE_ROOT}/")
                begun[s.name] = (cid, time.monotonic())
                docker("start", cid)

            with ThreadPoolExecutor(max_workers=len(wave)) as pool:
                waits = [pool.submit(_ready_after, s, *begun[s.name]) for s in wave]
                slowest = max(slowest, *(w.result() for w in waits))
        total = time.monotonic() - started
    finally:
        gone = time.monotonic()
        if ids:
            docker("rm", "-f", *ids)
        docker("network", "rm", tag)
        teardown = time.monotonic() - gone
    return total, slowest, teardown


def _ready_after(s: ServiceSpec, cid: str, started_at: float) -> float:
    readiness.wait_ready(engine.client().containers.get(cid), s.ready, s.name)
    return time.monotonic() - started_at


def _create_args(network: str, s: ServiceSpec) -> list[str]:
    args = ["create", "--name", f"{network}-{s.name}", "--network", network, "--label", "msalab.bench=1"]
    for alias in s.aliases:
        args += ["--network-alias", alias]
    for key, value in s.env.items():
        args += ["-e", f"{key}={value}"]
    for p in s.publish:
        args += ["-p", f"127.0.0.1::{p.port}"]
    if s.source is not None:
        args += ["-w", f"{SOURCE_ROOT}/{s.source.name}"]
    if s.mem_limit:
        args += ["--memory", s.mem_limit]
    return [*args, images.resolve(s.image, engine.image_present), *(s.command or [])]


def ours(name: str) -> tuple[float, float, float]:
    started = time.monotonic()
    lab = msalab.up(name, quiet=True)
    up = time.monotonic() - started
    memory = sum(lab.memory_mb().values())
    gone = time.monotonic()
    lab.down()
    return up, time.monotonic() - gone, memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("labs", nargs="*")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cleanup.remove()
    rows = []
    for name in args.labs or available_labs():
        spec = load_lab(name)
        ups, downs, mems, base, slow, base_down = [], [], [], [], [], []
        for _ in range(args.runs):  # interleaved, so that machine noise hits both alike
            up, down, mem = ours(name)
            ups.append(up)
            downs.append(down)
            mems.append(mem)
            total, slowest, teardown = baseline(spec)
            base.append(total)
            slow.append(slowest)
            base_down.append(teardown)
        m = statistics.median
        rows.append((name, len(spec.services), m(ups), m(base), m(slow), m(downs), m(base_down), m(mems)))
    print(f"median of {args.runs} runs; images present, no containers before each start")
    header = (
        "lab",
        "containers",
        "msalab up",
        "docker 1-by-1",
        "slowest alone",
        "up/slowest",
        "up/1-by-1",
        "msalab down",
        "docker rm",
        "memory MiB",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for name, n, up, b, s, d, bd, mem in rows:
        print(
            f"{name} | {n} | {up:.2f} s | {b:.2f} s | {s:.2f} s | {up / s:.2f}x | {up / b:.2f}x | {d:.2f} s "
            f"| {bd:.2f} s | {mem:.0f}"
        )


if __name__ == "__main__":
    main()
