"""Executing a notebook under limits (no lab needed): a dead kernel or a slow cell costs only itself."""

from __future__ import annotations

from pathlib import Path

from nbformat.v4 import new_code_cell, new_notebook

from msalab.execution import execute


def _answer(source: str) -> object:
    return new_code_cell(source, metadata={"msalab": {"answer": "hello.client"}})


def _outputs(cell: object) -> str:
    return " ".join(str(o.get("text") or o.get("ename")) for o in cell.get("outputs", []))  # type: ignore[attr-defined]


def test_a_dead_kernel_is_restarted_and_the_answer_cells_after_it_still_run(tmp_path: Path) -> None:
    nb = new_notebook(
        cells=[
            new_code_cell("greeting = 'hi'"),
            new_code_cell("import os\nos._exit(1)"),
            new_code_cell("print(greeting)"),  # a demo that needs the dead kernel's state: skipped
            _answer("print('answer ran')"),
        ]
    )
    problems = execute(nb, tmp_path, {}, cell_timeout=30, notebook_timeout=120)
    assert problems == [
        "The notebook's kernel died while running cell 2; it was restarted and the answer cells after it still ran."
    ]
    assert _outputs(nb.cells[2]) == "" and "answer ran" in _outputs(nb.cells[3])


def test_a_cell_past_its_limit_is_interrupted_and_the_next_cells_run(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_code_cell("while True:\n    pass"), new_code_cell("print('next')")])
    problems = execute(nb, tmp_path, {}, cell_timeout=3, notebook_timeout=120)
    assert any("KeyboardInterrupt" in p for p in problems), problems
    assert "next" in _outputs(nb.cells[1])


def test_the_notebook_limit_stops_the_rest(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_code_cell("import time\ntime.sleep(30)"), new_code_cell("print('never')")])
    problems = execute(nb, tmp_path, {}, cell_timeout=60, notebook_timeout=4)
    assert problems == [
        "The notebook ran past its time limit (4 s) in cell 1 and was stopped; later cells did not run."
    ]
    assert _outputs(nb.cells[1]) == ""


def test_after_one_cell_runs_out_its_limit_the_rest_share_one_more(tmp_path: Path) -> None:
    # A hanging answer hangs every cell that calls it: five such cells must not cost five limits.
    hang = "import time\ntime.sleep(60)"
    nb = new_notebook(cells=[new_code_cell(hang) for _ in range(5)] + [new_code_cell("print('never')")])
    problems = execute(nb, tmp_path, {}, cell_timeout=3, notebook_timeout=120)
    assert "cells from 3 on did not run" in problems[0], problems
    assert _outputs(nb.cells[5]) == ""
