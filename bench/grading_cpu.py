"""Benchmark: the CPU one grading costs, and who spends it, on a warm lab as `msalab grade` does. Not a test.

A class is graded on 2 cores in T seconds only if a submission costs at most 2 * T / N CPU-seconds (100 in 10
minutes: 12 CPU-seconds each), however many workers run side by side. So this measures CPU, not wall time: the
chapter's solved notebook is graded once to warm the lab up, then `--runs` more times, and each run's CPU is split
into the lab's containers (by service, summed over the containers a reset recreates), the grading sandboxes, and
everything on the host (this grader, its checks' processes, the Docker engine and its shims, anything else running).
The machine should be otherwise quiet: the host share counts whatever else runs.

Usage: .venv/bin/python bench/grading_cpu.py [CHAPTER] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import nbformat

from msalab import engine, grader, labels, notebooks, sandbox
from msalab.grader import Limits, grade_one

os.environ.setdefault("MSALAB_NAMESPACE", f"bench-{uuid.uuid4().hex[:8]}")  # leave other labs alone

CGROUP = Path("/sys/fs/cgroup")
TICKS = os.sysconf("SC_CLK_TCK")


def container_cpu(container_id: str) -> float | None:
    """CPU-seconds a container has used (cgroup v1 or v2, cgroupfs or systemd driver); None when it is gone."""
    for path, field in (
        (CGROUP / "cpuacct" / "docker" / container_id / "cpuacct.usage", None),
        (CGROUP / "docker" / container_id / "cpu.stat", "usage_usec"),
        (CGROUP / "system.slice" / f"docker-{container_id}.scope" / "cpu.stat", "usage_usec"),
    ):
        try:
            text = path.read_text()
        except OSError:
            continue
        if field is None:
            return int(text) / 1e9
        for line in text.splitlines():
            name, value = line.split()
            if name == field:
                return int(value) / 1e6
    return None


def machine_busy() -> float:
    """CPU-seconds the whole machine has been busy (everything but idle and I/O wait), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS


class ContainerMeter:
    """Samples every running container's CPU twice a second; keeps each one's last figure under its role, so a
    container removed between samples loses at most half a second of its CPU."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.role: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.5)

    def sample(self) -> None:
        for c in engine.client().containers.list(filters=labels.filters()):  # this run's namespace only
            if c.id not in self.role:
                self.role[c.id] = role_of(c.name, c.labels)
            used = container_cpu(c.id)
            if used is not None:
                self.last[c.id] = used

    def __enter__(self) -> ContainerMeter:
        self.sample()
        self.start = dict(self.last)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()

    def by_role(self) -> dict[str, float]:
        spent: dict[str, float] = defaultdict(float)
        for cid, used in self.last.items():
            spent[self.role[cid]] += used - self.start.get(cid, 0.0)
        return spent


def role_of(name: str, found: dict[str, str]) -> str:
    if labels.SERVICE in found:
        return f"lab: {found[labels.SERVICE]}"
    if sandbox.ROLE in found:
        return f"sandbox: {found[sandbox.ROLE]}"
    return f"other: {name}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chapter", nargs="?", default="08-backing-services")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    nb = notebooks.load_chapter(args.chapter)[1]
    limits = Limits(reuse_labs=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "solved.ipynb"
        nbformat.write(notebooks.with_answers(nb, notebooks.reference_answers(nb)), path)
        release = grader.student_release()
        grade_one(path, limits, args.chapter, release)  # starts the lab: not measured
        busy, wall = machine_busy(), time.monotonic()
        with ContainerMeter() as meter:
            for _ in range(args.runs):
                outcome = grade_one(path, limits, args.chapter, release)
                assert outcome.total == outcome.max_total, (outcome.total, outcome.problems)
        busy, wall = machine_busy() - busy, time.monotonic() - wall
        grader.release_warm_labs()
    runs = args.runs
    containers = meter.by_role()
    host = busy - sum(containers.values())
    print(f"{args.chapter}: {runs} gradings of the solved notebook on a warm lab, {wall / runs:.1f} s each")
    print(f"CPU per grading: {busy / runs:.1f} CPU-seconds ({busy / wall:.2f} cores busy on average)\n")
    print("where | CPU-seconds per grading | share")
    print("--- | --- | ---")
    for where, used in sorted(
        [*containers.items(), ("host: grader, checks, Docker engine, rest", host)], key=lambda kv: -kv[1]
    ):
        print(f"{where} | {used / runs:.1f} | {used / busy:.0%}")
    print(f"\nA class of 100 on 2 cores, CPU-bound at this cost: at least {100 * busy / runs / 2 / 60:.0f} min.")


if __name__ == "__main__":
    main()
