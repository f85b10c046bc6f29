"""Looking at the layers lab from outside, for the checks, the tests and the chapter."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import httpx

from msalab.checks import AnswerHung, CheckContext
from msalab.lab import Lab

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "importlinter.ini"
PACKAGE = "/srv/inventory/inventory"
CONTRACT_LIMIT = 45  # seconds; the contract tests take about one on either adapter
KILLED = 137  # the exit code of a process killed by SIGKILL (timeout -s KILL)


def fetch_package(lab: Lab, dest: Path) -> Path:
    """Copy the package `inventory` as it runs in the container (your deployed answers included) into dest."""
    with tarfile.open(fileobj=io.BytesIO(lab.copy_out("inventory", PACKAGE))) as tar:
        # The data filter refuses links and paths out of dest; Debian 12's Python 3.11.2 (the grading sandbox's)
        # predates it, and there the archive comes from the lab's own container, through the grader.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:
            tar.extractall(dest)
    return dest


def lint(folder: Path) -> tuple[bool, str]:
    """import-linter's verdict on the package in folder, with the lab's contracts: (all kept?, its report)."""
    exe = Path(sys.executable).parent / "lint-imports"
    cmd = (
        [str(exe)]
        if exe.exists()
        else [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]
    )
    done = subprocess.run(
        [*cmd, "--config", str(CONFIG), "--no-cache"],
        cwd=folder,
        env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def broken_contracts(report: str) -> list[str]:
    return [line.split(" BROKEN")[0].strip() for line in report.splitlines() if line.rstrip().endswith("BROKEN")]


def scenarios(
    folder: Path, names: list[str] | None = None, block: bool = False, ctx: CheckContext | None = None
) -> list[dict]:
    """Run the core's scenarios (scenarios.py) in a fresh process: where a check runs learner code (the grading
    sandbox under grading), or on this machine."""
    args = ["{folder}", *(names or [])] + (["--block"] if block else [])
    if ctx is None:
        done = subprocess.run(
            [sys.executable, str(HERE / "scenarios.py"), str(folder), *args[1:]],
            capture_output=True,
            text=True,
            timeout=60,
        )
    else:
        done = ctx.run_python(HERE / "scenarios.py", *args, folder=folder, timeout=60)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [{"name": "run", "passed": False, "error": tail}]


def contract(lab: Lab, adapter: str, extra: str | None = None, files: dict[str, str] | None = None) -> list[dict]:
    """The contract tests (contract.py) against one adapter, inside the inventory container."""
    if files:
        lab.put_files("inventory", files, "/tmp")
    try:
        # An adapter that loops forever would keep a CPU busy long after the check gave up on it: kill it.
        cmd = (
            f"cd /srv/inventory && PYTHONPATH=/tmp timeout -s KILL {CONTRACT_LIMIT} "
            f"python3 contract.py {adapter} {extra or ''} --json"
        )
        done = lab.exec("inventory", cmd)
    finally:
        if files:
            lab.exec("inventory", "rm -f " + " ".join(f"/tmp/{name}" for name in files))
    if done.exit_code == KILLED:
        raise AnswerHung(
            f"The contract tests on the {adapter} adapter did not finish within {CONTRACT_LIMIT} s (an endless loop?)."
        )
    try:
        return json.loads(done.output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return [{"test": "run", "passed": False, "error": done.output.strip()[-300:], "ms": 0}]


def failures(results: list[dict], key: str = "test") -> list[str]:
    return [f"{r[key]}: {r['error']}" for r in results if not r["passed"]]


def sql(lab: Lab, query: str) -> list[list[str]]:
    """A query as the inventory service's own database user."""
    done = lab.exec(
        "db", ["mariadb", "-h127.0.0.1", "-uinventory", "-pinventory-pw", "-N", "-B", "inventory_db", "-e", query]
    )
    if done.exit_code != 0:
        raise RuntimeError(done.output.strip())
    return [line.split("\t") for line in done.output.splitlines() if line]


def api(lab: Lab, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{lab.url('inventory')}{path}", timeout=10, **kw)


def timed(func, *args: Any) -> tuple[Any, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    return func(*args), time.perf_counter() - started
