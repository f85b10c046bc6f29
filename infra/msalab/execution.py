"""Executing a chapter notebook with nbclient under time limits; the same code in a sandbox and outside one."""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync

from msalab import notebooks


def execute(
    nb: nbformat.NotebookNode, cwd: Path, env: Mapping[str, str], cell_timeout: float, notebook_timeout: float
) -> list[str]:
    """Run `nb` in place in a fresh kernel; returns the problems worth reporting, in plain words."""
    client = NotebookClient(
        nb,
        timeout=math.ceil(cell_timeout),
        kernel_name="python3",
        allow_errors=True,  # one broken cell must not cost the exercises after it
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(cwd)}},
    )
    deadline = threading.Timer(notebook_timeout, _kill_kernel, args=[client])
    deadline.start()
    problems = []
    try:
        with client.setup_kernel(env=dict(env)):
            restarted = False
            # Once one cell has run out its limit (a hanging answer usually hangs every cell that calls it), the
            # rest of the notebook shares one more limit: a hang costs about two limits, not one per cell. The
            # answers are graded from their cells' text, so what is skipped costs no points.
            after_hang: float | None = None
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or (restarted and not notebooks.answer_id(cell)):
                    continue  # after a restart the demos lack what they build on; the answers do not
                if after_hang is not None:
                    if after_hang <= 0:
                        problems.append(
                            f"After a cell ran past its limit, the rest of the notebook had {cell_timeout:.0f} s "
                            f"more and used it up; cells from {index + 1} on did not run (your answers are graded "
                            "all the same)."
                        )
                        break
                    client.timeout = math.ceil(after_hang)
                began = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    if not deadline.is_alive():
                        problems.append(
                            f"The notebook ran past its time limit ({notebook_timeout:.0f} s) in cell {index + 1} "
                            "and was stopped; later cells did not run."
                        )
                        break
                    problems.append(
                        f"The notebook's kernel died while running cell {index + 1}; it was restarted and the "
                        "answer cells after it still ran."
                    )
                    _restart(client)
                    restarted = True
                except CellTimeoutError:  # the kernel did not answer an interrupt
                    problems.append(f"Cell {index + 1} ran longer than {cell_timeout:.0f} s and was stopped.")
                took = time.monotonic() - began
                if after_hang is not None:
                    after_hang -= took
                elif took >= cell_timeout:
                    after_hang = cell_timeout
    finally:
        deadline.cancel()
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"Cell {i + 1} raised {out.get('ename')}: {out.get('evalue', '')[:200]}")
    return problems


def _restart(client: NotebookClient) -> None:
    """A fresh kernel on the same connection, with the answer cells' magic loaded again."""
    run_sync(client.km.restart_kernel)(now=True)
    run_sync(client.kc.wait_for_ready)(timeout=60)
    client.execute_cell(nbformat.v4.new_code_cell("import msalab"), 0)


def _kill_kernel(client: NotebookClient) -> None:
    pid = getattr(getattr(client.km, "provisioner", None), "pid", None) if client.km else None
    if pid:
        os.kill(pid, signal.SIGKILL)
