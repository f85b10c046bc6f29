"""Executing a chapter notebook with nbclient under time limits; the same code in a sandbox and outside one."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


def execute(
    nb: nbformat.NotebookNode, cwd: Path, env: Mapping[str, str], cell_timeout: float, notebook_timeout: float
) -> list[str]:
    """Run `nb` in place in a fresh kernel; returns the problems worth reporting, in plain words."""
    client = NotebookClient(
        nb,
        timeout=cell_timeout,
        kernel_name="python3",
        allow_errors=True,  # one broken cell must not cost the exercises after it
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    running = {"cell": -1}
    client.on_cell_start = lambda cell, cell_index: running.update(cell=cell_index)
    deadline = threading.Timer(notebook_timeout, _kill_kernel, args=[client])
    deadline.start()
    problems = []
    try:
        client.execute(env=dict(env))
    except DeadKernelError:
        reason = "took longer than the notebook's time limit" if not deadline.is_alive() else "died"
        problems.append(
            f"The notebook's kernel {reason} while running cell {running['cell'] + 1}; later cells did not run."
        )
    except CellTimeoutError:
        problems.append(f"Cell {running['cell'] + 1} ran longer than {cell_timeout:.0f} s and was stopped.")
    finally:
        deadline.cancel()
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"Cell {i + 1} raised {out.get('ename')}: {out.get('evalue', '')[:200]}")
    return problems


def _kill_kernel(client: NotebookClient) -> None:
    pid = getattr(getattr(client.km, "provisioner", None), "pid", None) if client.km else None
    if pid:
        os.kill(pid, signal.SIGKILL)
