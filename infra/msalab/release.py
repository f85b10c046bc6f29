"""`msalab release`: the student copy: chapters, labs and the machinery; no solutions, no hidden checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from msalab.errors import MsalabError
from msalab.paths import course_root, solutions_dir

SHIPPED = ("README.md", "pyproject.toml", "environment.yml", "chapters", "labs", "infra")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".msalab-answers", "*.egg-info")
MIN_LINE = 12  # shorter lines (`return x`, `pass`) say nothing about a solution
SCANNED = (".py", ".ipynb", ".toml", ".md", ".txt", ".json", ".yaml", ".yml", ".sh")


def release(out: Path) -> Path:
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        raise MsalabError(f"{out} is not empty; name a new folder for the release.")
    root = course_root()
    if root in out.parents:
        raise MsalabError("Put the release outside the course folder, so that it cannot copy itself.")
    out.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        src = root / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=SKIPPED, symlinks=True)
        elif src.is_file():
            shutil.copy2(src, out / name)
    found = leaks(out)
    if found:
        shutil.rmtree(out)
        raise MsalabError(f"The release would reveal a solution ({found[0]}); nothing was written.")
    return out


def solution_lines() -> dict[str, str]:
    """Distinctive lines of every file under solutions/ -> the file they come from.

    A line that the shipped course has anyway (a stub's signature, an import) is not distinctive.
    """
    shipped = set()
    for name in SHIPPED:
        path = course_root() / name
        for f in path.rglob("*") if path.is_dir() else [path]:
            if f.is_file() and f.suffix in SCANNED and "__pycache__" not in f.parts:
                shipped |= _lines(_text_of(f))
    out: dict[str, str] = {}
    for f in solutions_dir().rglob("*") if solutions_dir().is_dir() else []:
        if f.is_file() and "__pycache__" not in f.parts:
            for line in _lines(f.read_text(errors="replace")) - shipped:
                out[line] = str(f.relative_to(course_root()))
    return out


def leaks(folder: Path) -> list[str]:
    """Where in `folder` a distinctive solution line appears (notebooks are read as their JSON text)."""
    wanted = solution_lines()
    found = []
    for f in folder.rglob("*"):
        if f.is_file() and f.suffix in SCANNED:
            for line in _lines(_text_of(f)):
                if line in wanted:
                    found.append(f"{f.relative_to(folder)} contains a line of {wanted[line]}")
    return found


def _lines(text: str) -> set[str]:
    return {s for raw in text.splitlines() if len(s := raw.strip()) >= MIN_LINE}


def _text_of(f: Path) -> str:
    if f.suffix == ".ipynb":
        # Read as a notebook: in the raw JSON, quotes and newlines of the code are escaped.
        try:
            nb = json.loads(f.read_text())
            return "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []))
        except (json.JSONDecodeError, AttributeError):
            pass
    return f.read_text(errors="replace")
