"""The form every chapter keeps. Each chapter also runs top to bottom with nbclient against real containers:
a chapter with exercises in test_chapter_grades.py (as a learner runs it, and graded), one without here."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO
from msalab import notebooks

CHAPTERS = sorted((REPO / "chapters").glob("*.ipynb"))


UNGRADED = [p for p in CHAPTERS if not notebooks.answer_cells(nbformat.read(p, as_version=4))]


@pytest.mark.docker
@pytest.mark.chapter
@pytest.mark.parametrize("path", UNGRADED, ids=[p.stem for p in UNGRADED])
def test_chapter_without_exercises_runs_as_shipped(path: Path, clean_engine: None) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors


def test_chapters_are_committed_without_outputs() -> None:
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"


def test_every_chapter_says_what_time_and_what_it_needs() -> None:
    for path in CHAPTERS:
        first = nbformat.read(path, as_version=4).cells[0].source
        for words in ("You will be able to", "Time:", "Needs:"):
            assert words in first, f"{path.name} does not say '{words}' in its first cell"
