"""Editions of the chapters in other languages, generated from the English ones, never forked.

A catalog `chapters/<lang>/catalog/<chapter>.toml` holds, per markdown cell id, the translated text and the
fingerprint of the English text it was translated from:

    [cells."a1b2c3"]
    en = "4f1c...."          # fingerprint of the English cell this translates
    text = '''...'''

The same catalog may translate the prose inside the exercises' starting stubs (the answer cells a learner fills
in): per answer cell id, the fingerprint of the English cell and the whole translated cell, in which only
docstrings and comments differ:

    [stubs."c7d8e9f0"]       # saga.orchestration
    en = "9a8b...."          # fingerprint of the English answer cell
    code = '''%%answer saga.orchestration ...'''

The edition `chapters/<lang>/<chapter>.ipynb` is the English chapter with those markdown cells and stubs replaced;
every other code cell is the English one, byte for byte, and a translated stub is `same_code` as its English one
(the same `%%answer` line and the same Python syntax tree once docstrings are left out), so the edition uses the
same lab and answer cells and is graded as the English chapter is. An English cell changed after its translation
is *stale*: the edition keeps the old translation of a markdown cell, but the English stub (a stale stub's code
may be out of date), and `stale()` names the cell, so a test can fail until the translator catches up.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from msalab import notebooks
from msalab.answers import MAGIC, strip_magic
from msalab.errors import MsalabError
from msalab.paths import chapters_dir, course_root

LANGUAGES = {"ko": "한국어"}


def fingerprint(source: str) -> str:
    """What a translation remembers of the English text it was made from."""
    return hashlib.sha256(source.strip().encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    en: str  # fingerprint of the English source the text translates
    text: str


def catalog_path(chapter: str, lang: str) -> Path:
    return chapters_dir() / lang / "catalog" / f"{chapter}.toml"


def edition_path(chapter: str, lang: str) -> Path:
    return chapters_dir() / lang / f"{chapter}.ipynb"


def translated_editions(chapter: str) -> list[Path]:
    """The chapter's editions in other languages than English, those there are."""
    return [p for p in (edition_path(chapter, lang) for lang in LANGUAGES) if p.is_file()]


@dataclass(frozen=True)
class Stub:
    en: str  # fingerprint of the English answer cell the code translates
    code: str  # the whole cell, `%%answer` line included, with translated docstrings and comments


def _read_catalog(chapter: str, lang: str, table: str, read: Any) -> dict[str, Any]:
    path = catalog_path(chapter, lang)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {cid: read(e) for cid, e in data.get(table, {}).items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as e:
        where = path.relative_to(course_root()).as_posix()
        raise MsalabError(
            f'{where} is not a catalog ({type(e).__name__}: {e}); each cell is [cells."<id>"] with `en` and '
            f'`text`, each stub [stubs."<id>"] with `en` and `code`'
        ) from e


def load_catalog(chapter: str, lang: str) -> dict[str, Entry]:
    """The catalog's markdown cells: cell id -> its translation."""
    return _read_catalog(chapter, lang, "cells", lambda e: Entry(str(e["en"]), str(e["text"]).strip("\n")))


def load_stubs(chapter: str, lang: str) -> dict[str, Stub]:
    """The catalog's translated stubs: answer cell id -> its translation."""
    _read_catalog(chapter, lang, "cells", lambda e: Entry(str(e["en"]), str(e["text"])))  # one error, either table
    return _read_catalog(chapter, lang, "stubs", lambda e: Stub(str(e["en"]), str(e["code"]).strip("\n")))


# ---- stubs: the same code, other prose -------------------------------------------------------------------------
def _magic_line(source: str) -> str:
    first = source.lstrip("\n").split("\n", 1)[0]
    return first.rstrip() if first.lstrip().startswith(f"%%{MAGIC}") else ""


def _without_docstrings(tree: ast.AST) -> ast.AST:
    """The tree without the docstring of the module and of every def and class (a first statement that is a string)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:]
    return tree


def _shape(code: str) -> str | None:
    """What must not change in a stub's code: its syntax tree without docstrings (comments are not in it), or None
    when the code is not Python."""
    try:
        return ast.dump(_without_docstrings(ast.parse(code)))
    except SyntaxError:
        return None


def _uncommented_lines(code: str) -> list[str]:
    """A stub that is not Python (YAML): its lines, whole-line `#` comments left out."""
    return [line.rstrip() for line in code.strip("\n").split("\n") if not line.lstrip().startswith("#")]


def same_code(english: str, korean: str) -> bool:
    """Whether two versions of an answer cell (or of the code in one) are the same program: the same `%%answer`
    line, and the same syntax tree once docstrings are left out (comments never are in it). A cell that is not
    Python (a YAML stub) may change only its whole-line `#` comments."""
    if _magic_line(english) != _magic_line(korean):
        return False
    en, ko = strip_magic(english.lstrip("\n")), strip_magic(korean.lstrip("\n"))
    en_shape, ko_shape = _shape(en), _shape(ko)
    if en_shape is None or ko_shape is None:
        return en_shape is None and ko_shape is None and _uncommented_lines(en) == _uncommented_lines(ko)
    return en_shape == ko_shape


def _prose_comment(comment: str) -> bool:
    text = re.sub(r"#\s*(noqa(:\s*[A-Z]+\d+(,\s*[A-Z]+\d+)*)?|type:\s*ignore(\[[^\]]*\])?)", "", comment)
    return any(ch.isalpha() for ch in text)


def has_prose(source: str) -> bool:
    """Whether an answer cell has anything to translate: a docstring, or a comment with words in it (not a bare
    `# noqa: F401` or `# type: ignore[...]`)."""
    code = strip_magic(source)
    try:
        tree = ast.parse(code)
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (SyntaxError, tokenize.TokenError):
        return any(_prose_comment(line.strip()) for line in code.split("\n") if line.lstrip().startswith("#"))
    if ast.dump(tree) != ast.dump(_without_docstrings(ast.parse(code))):
        return True
    return any(t.type == tokenize.COMMENT and _prose_comment(t.string) for t in tokens)


def stub_cells(nb: NotebookNode) -> list[NotebookNode]:
    """The answer cells of a chapter (the starting stubs a translation may carry)."""
    return list(notebooks.answer_cells(nb).values())


def prose_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown"]


def untranslated(chapter: str, lang: str) -> list[str]:
    """Ids of the chapter's markdown cells that have no translation at all."""
    _, english = notebooks.load_chapter(chapter)
    catalog = load_catalog(chapter, lang)
    return [c.id for c in prose_cells(english) if c.id not in catalog]


def untranslated_stubs(chapter: str, lang: str) -> list[str]:
    """Ids of the chapter's answer cells with prose in them (docstrings, comments) that have no translation."""
    _, english = notebooks.load_chapter(chapter)
    stubs = load_stubs(chapter, lang)
    return [c.id for c in stub_cells(english) if has_prose(c.source) and c.id not in stubs]


def stale_stubs(chapter: str, lang: str) -> list[str]:
    """Ids of translated stubs whose English answer cell changed after they were translated (or no longer exists);
    the edition has the English stub in their place."""
    _, english = notebooks.load_chapter(chapter)
    now = {c.id: fingerprint(c.source) for c in stub_cells(english)}
    return [cid for cid, s in load_stubs(chapter, lang).items() if now.get(cid) != s.en]


def stale(chapter: str, lang: str) -> list[str]:
    """Ids of cells whose English text changed after they were translated (or that no longer exist), markdown
    cells first, then stubs."""
    _, english = notebooks.load_chapter(chapter)
    now = {c.id: fingerprint(c.source) for c in prose_cells(english)}
    return [cid for cid, e in load_catalog(chapter, lang).items() if now.get(cid) != e.en] + stale_stubs(chapter, lang)


def catalog_chapters(lang: str) -> list[str]:
    """The chapters that have a catalog in `lang` (whether or not the English chapter still exists)."""
    return sorted(p.stem for p in (chapters_dir() / lang / "catalog").glob("*.toml"))


def stale_messages(chapter: str, lang: str) -> list[str]:
    """One sentence per stale cell or stub of the chapter's catalog: which cell, and what to do about it."""
    _, english = notebooks.load_chapter(chapter)
    ids = {c.id for c in prose_cells(english)}
    answers = {c.id: ex for ex, c in notebooks.answer_cells(english).items()}
    where = catalog_path(chapter, lang).relative_to(course_root()).as_posix()
    now = set(stale(chapter, lang))
    cells = [cid for cid in load_catalog(chapter, lang) if cid in now]
    return [
        f"chapter {chapter} cell {cid}: the English text changed after it was translated; update its translation "
        f"in {where}"
        if cid in ids
        else f"chapter {chapter} cell {cid}: the English chapter has no such markdown cell any more; remove it "
        f"from {where}"
        for cid in cells
    ] + [
        f"chapter {chapter} stub {cid} ({answers[cid]}): the English answer cell changed after it was translated "
        f"(the edition has the English stub until then); update its translation in {where}"
        if cid in answers
        else f"chapter {chapter} stub {cid}: the English chapter has no such answer cell any more; remove it "
        f"from {where}"
        for cid in stale_stubs(chapter, lang)
    ]


def catalog_problems(chapter: str, lang: str) -> list[str]:
    """What is wrong with the chapter's catalog as written (stale translations aside): it does not parse, an id no
    cell has, a fingerprint that is not one, an empty text, or a text that is its English source untranslated."""
    where = catalog_path(chapter, lang).relative_to(course_root()).as_posix()
    try:
        catalog = load_catalog(chapter, lang)
    except MsalabError as e:
        return [str(e)]
    _, english = notebooks.load_chapter(chapter)
    sources = {c.id: c.source for c in prose_cells(english)}
    problems = []
    for cid, entry in catalog.items():
        if cid not in sources:
            continue  # stale_messages names it
        if not re.fullmatch(r"[0-9a-f]{16}", entry.en):
            problems.append(f"{where} cell {cid}: en = {entry.en!r} is not a fingerprint; keep the skeleton's")
        if not entry.text.strip():
            problems.append(f"{where} cell {cid}: the text is empty")
        elif entry.text.strip() == sources[cid].strip() and any(ch.isalpha() for ch in sources[cid]):
            problems.append(f"{where} cell {cid}: the text is the English one; translate it or leave the cell out")
    stubs = load_stubs(chapter, lang)
    code = {c.id: c.source for c in stub_cells(english)}
    for cid, stub in stubs.items():
        if cid not in code:
            continue  # stale_messages names it
        if not re.fullmatch(r"[0-9a-f]{16}", stub.en):
            problems.append(f"{where} stub {cid}: en = {stub.en!r} is not a fingerprint; keep the skeleton's")
        if not stub.code.strip():
            problems.append(f"{where} stub {cid}: the code is empty")
        elif stub.code.strip() == code[cid].strip():
            problems.append(f"{where} stub {cid}: the code is the English one; translate it or leave the stub out")
        elif stub.en == fingerprint(code[cid]) and not same_code(code[cid], stub.code):
            problems.append(
                f"{where} stub {cid}: the code is not the English code (the `%%answer` line and everything but "
                "docstrings and comments must stay as they are)"
            )
    return problems


def build(chapter: str, lang: str) -> NotebookNode:
    """The edition: the English chapter with every translated markdown cell replaced, tagged with its language."""
    _, english = notebooks.load_chapter(chapter)
    nb = nbformat.from_dict(english)
    catalog = load_catalog(chapter, lang)
    for cell in prose_cells(nb):
        if cell.id in catalog:
            cell.source = catalog[cell.id].text
    stubs = load_stubs(chapter, lang)
    for cell in stub_cells(nb):
        stub = stubs.get(cell.id)
        if stub and stub.en == fingerprint(cell.source) and same_code(cell.source, stub.code):
            cell.source = stub.code + cell.source[len(cell.source.rstrip("\n")) :]  # the English cell's last newline
    nb.metadata["msalab"] = {**nb.metadata["msalab"], "language": lang}
    nb.metadata["language_info"] = nb.metadata.get("language_info", {"name": "python"})
    return nb


def write(chapter: str, lang: str) -> Path:
    path = edition_path(chapter, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build(chapter, lang), path)
    return path


def toml_multiline(text: str) -> str:
    """`text` as a TOML multi-line string: a literal one, or a basic one with escapes when the text holds '''."""
    if "'''" not in text:
        return f"'''\n{text}\n'''"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"""\n{escaped}\n"""'


def stub_skeleton(chapter: str) -> str:
    """The stubs to translate: every answer cell with prose in it, its fingerprint and its English code, in which
    a translator changes docstrings and comments only."""
    _, english = notebooks.load_chapter(chapter)
    out = []
    for ex, cell in notebooks.answer_cells(english).items():
        if has_prose(cell.source):
            out += [
                f'[stubs."{cell.id}"]  # {ex}: translate docstrings and comments only; keep `en` and the code',
                f'en = "{fingerprint(cell.source)}"',
                f"code = {toml_multiline(cell.source.rstrip(chr(10)))}",
                "",
            ]
    return "\n".join(out)


def skeleton(chapter: str) -> str:
    """A catalog to translate: every markdown cell's fingerprint, with its English text to be replaced, then the
    stubs (`stub_skeleton`)."""
    _, english = notebooks.load_chapter(chapter)
    out = [f"# {chapter}: translate each `text`; keep `en` (it says which English text you translated).", ""]
    for cell in prose_cells(english):
        out += [f'[cells."{cell.id}"]', f'en = "{fingerprint(cell.source)}"', f"text = '''\n{cell.source}\n'''", ""]
    return "\n".join(out) + "\n" + stub_skeleton(chapter)


if __name__ == "__main__":
    # python -m msalab.translation skeleton 09-saga > chapters/ko/catalog/09-saga.toml  (markdown cells and stubs)
    # python -m msalab.translation stubs 09-saga >> chapters/ko/catalog/09-saga.toml    (the stubs only)
    import sys

    print((stub_skeleton if sys.argv[1] == "stubs" else skeleton)(sys.argv[2]))
