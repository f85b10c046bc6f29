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


def cgroup_cpu(*candidates: tuple[Path, str | None]) -> float | None:
    """CPU-seconds from the first cgroup file found: cgroup v1's cpuacct.usage (field None, nanoseconds) or a
    cgroup v2 cpu.stat's usage_usec."""
    for path, field in candidates:
        try:
            text = path.read_text()
        except OSError:
            continue
        if field is None:
            return int(text) / 1e9
        return next((int(line.split()[1]) / 1e6 for line in text.splitlines() if line.startswith(field)), None)
    return None


def container_cpu(container_id: str) -> float | None:
    """CPU-seconds a container has used (cgroupfs or systemd driver); None when it is gone."""
    return cgroup_cpu(
        (CGROUP / "cpuacct" / "docker" / container_id / "cpuacct.usage", None),
        (CGROUP / "docker" / container_id / "cpu.stat", "usage_usec"),
        (CGROUP / "system.slice" / f"docker-{container_id}.scope" / "cpu.stat", "usage_usec"),
    )


def all_containers_cpu() -> float | None:
    """CPU-seconds of every container the engine ran, removed ones included (their parent cgroup), if found."""
    return cgroup_cpu(
        (CGROUP / "cpuacct" / "docker" / "cpuacct.usage", None), (CGROUP / "docker" / "cpu.stat", "usage_usec")
    )


def machine_busy() -> tuple[float, float]:
    """CPU-seconds the whole machine has been busy (everything but idle and I/O wait), and of that the kernel's
    interrupt handling (mostly network packets between containers), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / TICKS, (fields[5] + fields[6]) / TICKS


class ContainerMeter:
    """Samples every running container's CPU twice a second under its role, through restarts (a restarted
    container's counter starts again from 0); what a container used after its last sample is not seen here."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.carried: dict[str, float] = defaultdict(float)  # what a restarted container had used before
        self.role: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.5)

    def sample(self) -> None:
        # The low-level list: one call, no inspection of each container (which fails for one just removed).
        for c in engine.client().api.containers(filters=labels.filters()):  # this run's namespace only
            if c["Id"] not in self.role:
                self.role[c["Id"]] = role_of(c["Names"][0].lstrip("/"), c["Labels"] or {})
            used = container_cpu(c["Id"])
            if used is not None:
                if used < self.last.get(c["Id"], 0.0):  # restarted: a new cgroup, counting from 0 again
                    self.carried[c["Id"]] += self.last[c["Id"]]
                self.last[c["Id"]] = used

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
            spent[self.role[cid]] += self.carried[cid] + used - self.start.get(cid, 0.0)
        return spent


ENGINE = {"dockerd": "host: Docker engine (dockerd)", "containerd": "host: containerd"}
ENGINE_PREFIXES = {
    "containerd-shim": "host: container shims",
    "docker-proxy": "host: port proxies",
    "runc": "host: runc",
}


class ProcessMeter(ContainerMeter):
    """The host's processes sampled the same way: this grader, its children (the checks' processes), the Docker
    engine and its helpers. CPU of a process that ends between two samples is lost (at most half a second)."""

    def sample(self) -> None:
        me = os.getpid()
        stats: dict[int, tuple[str, int, float]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                text = (entry / "stat").read_text()
                if "docker" in (entry / "cgroup").read_text():
                    continue  # a container's process: the container meter counts it
            except OSError:
                continue
            comm = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            stats[int(entry.name)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
        for pid, (comm, _, used) in stats.items():
            key = str(pid)  # not its name: a kernel worker renames itself after its current job
            if key not in self.role:
                self.role[key] = process_role(pid, comm, me, stats)
            self.last[key] = used


def process_role(pid: int, comm: str, me: int, stats: dict[int, tuple[str, int, float]]) -> str:
    if pid == me:
        return "host: this grader"
    parent, seen = stats[pid][1], 0
    while parent > 1 and seen < 50:
        if parent == me:
            return "host: the grader's children (checks' processes)"
        parent, seen = stats.get(parent, ("", 0, 0.0))[1], seen + 1
    if comm.startswith("kworker"):
        return "kernel: workers (network namespaces of containers made and removed, writeback, ...)"
    if comm in ENGINE:
        return ENGINE[comm]
    for prefix, role in ENGINE_PREFIXES.items():
        if comm.startswith(prefix):
            return role
    return f"host: {comm} (not the grader's)"


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
        (busy, irq), wall, in_containers = machine_busy(), time.monotonic(), all_containers_cpu()
        with ContainerMeter() as meter, ProcessMeter() as processes:
            for _ in range(args.runs):
                outcome = grade_one(path, limits, args.chapter, release)
                failed = [
                    f"{c.exercise} {c.name}: {c.message}"
                    for e in outcome.exercises.values()
                    for c in e.checks
                    if not c.passed
                ]
                assert outcome.total == outcome.max_total, (outcome.total, outcome.problems, failed)
        (busy_now, irq_now), wall = machine_busy(), time.monotonic() - wall
        busy, irq = busy_now - busy, irq_now - irq
        ended = all_containers_cpu()
        grader.release_warm_labs()
    runs = args.runs
    in_sampled_containers = meter.by_role()
    spent = {**in_sampled_containers, **processes.by_role(), "kernel: interrupts (network between containers)": irq}
    if in_containers is not None and ended is not None:
        spent["containers: what they used between their last sample and their removal or restart"] = (
            ended - in_containers - sum(in_sampled_containers.values())
        )
    host = busy - sum(spent.values())
    print(f"{args.chapter}: {runs} gradings of the solved notebook on a warm lab, {wall / runs:.1f} s each")
    print(f"CPU per grading: {busy / runs:.1f} CPU-seconds ({busy / wall:.2f} cores busy on average)\n")
    print("where | CPU-seconds per grading | share")
    print("--- | --- | ---")
    for where, used in sorted(
        [*spent.items(), ("the rest: processes that ended between samples", host)],
        key=lambda kv: -kv[1],
    ):
        if used / runs >= 0.05:
            print(f"{where} | {used / runs:.1f} | {used / busy:.0%}")
    print(f"\nA class of 100 on 2 cores, CPU-bound at this cost: at least {100 * busy / runs / 2 / 60:.0f} min.")


if __name__ == "__main__":
    main()
