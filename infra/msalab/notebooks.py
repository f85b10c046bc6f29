"""Chapter notebooks: finding them, their answer cells, and putting answers into a canonical copy.

A chapter's metadata names it: {"msalab": {"chapter": "00-welcome", "lab": "hello"}}.
An answer cell carries {"msalab": {"answer": "<exercise id>"}} and starts with `%%answer <exercise id>`.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from msalab.answers import MAGIC, strip_magic
from msalab.errors import MsalabError
from msalab.paths import chapters_dir, solutions_dir


def chapter_paths() -> list[Path]:
    return sorted(chapters_dir().glob("*.ipynb"))


def chapter_name(nb: NotebookNode) -> str | None:
    meta = nb.metadata.get("msalab", {})
    return meta.get("chapter") if isinstance(meta, dict) else None


def load_chapter(name_or_path: str | Path) -> tuple[str, NotebookNode]:
    path = Path(name_or_path)
    if not path.is_file():
        matches = [p for p in chapter_paths() if p.stem == str(name_or_path) or p.stem.startswith(f"{name_or_path}-")]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in chapter_paths())
            raise MsalabError(f"There is no chapter '{name_or_path}'; the chapters are: {known}.")
        path = matches[0]
    nb = nbformat.read(path, as_version=4)
    return chapter_name(nb) or path.stem, nb


def answer_id(cell: NotebookNode) -> str | None:
    meta = cell.get("metadata", {}).get("msalab", {})
    value = meta.get("answer") if isinstance(meta, dict) else None
    return str(value) if value else None


def answer_cells(nb: NotebookNode) -> dict[str, NotebookNode]:
    """Exercise id -> its answer cell (the last one, if a learner duplicated it)."""
    return {ex: c for c in nb.cells if c.cell_type == "code" and (ex := answer_id(c))}


def extract_answers(nb: NotebookNode) -> dict[str, str]:
    """Only the learner's code from each answer cell; everything else in a submission is ignored."""
    return {ex: strip_magic(c.source) for ex, c in answer_cells(nb).items()}


def with_answers(canonical: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of the canonical chapter whose answer cells hold `answers`; the magic line stays canonical."""
    nb = nbformat.from_dict(canonical)
    for ex, cell in answer_cells(nb).items():
        if ex in answers:
            cell.source = f"%%{MAGIC} {ex}\n{answers[ex]}"
    return nb


def reference_answer_path(exercise_id: str) -> Path:
    lab, _, name = exercise_id.partition(".")
    return solutions_dir() / lab / "answers" / f"{name}.py"


def reference_answers(nb: NotebookNode) -> dict[str, str]:
    out = {}
    for ex in answer_cells(nb):
        path = reference_answer_path(ex)
        if not path.is_file():
            raise MsalabError(f"No reference answer for {ex} at {path}; solutions/ is not part of a student copy.")
        out[ex] = path.read_text()
    return out


def solve(chapter: str | Path, out: Path) -> Path:
    """`msalab solve`: the chapter with every reference answer in its answer cells."""
    _, nb = load_chapter(chapter)
    solved = with_answers(nb, reference_answers(nb))
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(solved, out)
    return out
