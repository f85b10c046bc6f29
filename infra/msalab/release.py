"""`msalab release`: the student copy: chapters, labs and the machinery; no solutions, no hidden checks (nor their
translated titles, solutions/<lab>/hidden_checks.<lang>.toml)."""

from __future__ import annotations

import ast
import json
import shutil
import tomllib
from pathlib import Path

from msalab.errors import MsalabError
from msalab.paths import course_root, solutions_dir

SHIPPED = ("README.md", "pyproject.toml", "environment.yml", "chapters", "labs", "infra")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".msalab-answers", "*.egg-info")
WINDOW = 3  # consecutive code lines: one line (`except httpx.HTTPError:`) is too common to mean anything
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


def solution_marks() -> dict[tuple[str, ...], str]:
    """What would give a solution away -> the solutions/ file it comes from.

    - every run of WINDOW consecutive code lines of a reference answer, unless all of its lines are ones an
      answer shares by design: the machinery's (infra/) and the chapters' answer-cell stubs. Lab files are
      deliberately not in that baseline: a solution pasted into one must be found. (A solution pasted into
      a stub is caught by the test that the chapter as shipped earns zero.)
    - the definition of every hidden check (`def name(`): hidden checks share imports and calls with the
      public ones, so their own lines are no sign; their definitions are.
    """
    from msalab.notebooks import chapter_paths, extract_answers, load_chapter

    baseline: set[str] = set()
    for f in (course_root() / "infra").rglob("*"):
        if f.is_file() and f.suffix in SCANNED and "__pycache__" not in f.parts:
            baseline |= set(_code_lines(_text_of(f)))
    for path in chapter_paths():
        for stub in extract_answers(load_chapter(path)[1]).values():
            baseline |= set(_code_lines(stub))
    marks: dict[tuple[str, ...], str] = {}
    root = solutions_dir()
    for f in sorted(root.glob("*/answers/*.py")) if root.is_dir() else []:
        for window in _windows(_code_lines(f.read_text())):
            if not all(line in baseline for line in window):
                marks[window] = str(f.relative_to(course_root()))
    for f in sorted(root.glob("*/hidden_checks.py")) if root.is_dir() else []:
        for name in _check_functions(f.read_text()):
            marks[(f"def {name}(",)] = str(f.relative_to(course_root()))
    return marks


def hidden_titles() -> dict[str, str]:
    """The translated titles of the hidden checks (solutions/<lab>/hidden_checks.<lang>.toml) -> their file: a
    release that shows one names a hidden check as surely as its `def` does."""
    root = solutions_dir()
    found: dict[str, str] = {}
    for f in sorted(root.glob("*/hidden_checks.*.toml")) if root.is_dir() else []:
        for entry in tomllib.loads(f.read_text(encoding="utf-8")).values():
            if isinstance(entry, dict) and str(entry.get("title", "")).strip():
                found[str(entry["title"]).strip()] = str(f.relative_to(course_root()))
    return found


def leaks(folder: Path) -> list[str]:
    """Where in `folder` something of solutions/ appears (notebooks are read as their cells' text)."""
    marks = solution_marks()
    hidden_defs = {m[0]: src for m, src in marks.items() if len(m) == 1 and m[0].startswith("def ")}
    titles = hidden_titles()
    found = []
    for f in sorted(folder.rglob("*")):
        if not f.is_file():
            continue
        rel = f.relative_to(folder)
        if f.name.startswith("hidden_checks.") or "solutions" in rel.parts:
            found.append(f"{rel} is part of solutions/")
            continue
        if f.name.startswith("checks.") and f.suffix == ".toml":  # a translation of check titles, by check name
            try:
                names = tomllib.loads(f.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                names = {}
            found += [f"{rel} names {n} of {hidden_defs[f'def {n}(']}" for n in names if f"def {n}(" in hidden_defs]
        if f.suffix not in SCANNED:
            continue
        text = _text_of(f)
        lines = _code_lines(text)
        for window in set(_windows(lines)) | {(line,) for line in lines}:
            if window in marks and window[0] not in hidden_defs:
                found.append(f"{rel} contains lines of {marks[window]}")
        found += [f"{rel} defines {d[4:-1]} of {src}" for d, src in hidden_defs.items() if d in text]
        found += [f"{rel} shows the title of a hidden check of {src}" for t, src in titles.items() if t in text]
    return found


def _check_functions(source: str) -> list[str]:
    """Names of the functions decorated with @check(...): the hidden checks themselves, not their helpers."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if getattr(target, "id", getattr(target, "attr", None)) == "check":
                    names.append(node.name)
    return names


def _code_lines(text: str) -> list[str]:
    return [s for raw in text.splitlines() if (s := raw.strip()) and not s.startswith("#")]


def _windows(lines: list[str]) -> list[tuple[str, ...]]:
    if len(lines) <= WINDOW:
        return [tuple(lines)] if lines else []
    return [tuple(lines[i : i + WINDOW]) for i in range(len(lines) - WINDOW + 1)]


def _text_of(f: Path) -> str:
    if f.suffix == ".ipynb":
        # Read as a notebook: in the raw JSON, quotes and newlines of the code are escaped.
        try:
            nb = json.loads(f.read_text())
            return "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []))
        except (json.JSONDecodeError, AttributeError):
            pass
    return f.read_text(errors="replace")
