"""Editions of the chapters in other languages, generated from the English ones, never forked.

A catalog `chapters/<lang>/catalog/<chapter>.toml` holds, per markdown cell id, the translated text and the
fingerprint of the English text it was translated from:

    [cells."a1b2c3"]
    en = "4f1c...."          # fingerprint of the English cell this translates
    text = '''...'''

The edition `chapters/<lang>/<chapter>.ipynb` is the English chapter with those markdown cells replaced; its code
cells are the English ones, byte for byte, so it uses the same lab and the same answer cells and is graded as
the English chapter is. An English cell changed after its translation is *stale*: the edition keeps the old
translation and `stale()` names the cell, so a test can fail until the translator catches up.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from msalab import notebooks
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


def load_catalog(chapter: str, lang: str) -> dict[str, Entry]:
    path = catalog_path(chapter, lang)
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {cid: Entry(str(e["en"]), str(e["text"]).strip("\n")) for cid, e in data.get("cells", {}).items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError) as e:
        where = path.relative_to(course_root()).as_posix()
        raise MsalabError(
            f'{where} is not a catalog ({type(e).__name__}: {e}); each cell is [cells."<id>"] with `en` and `text`'
        ) from e


def prose_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown"]


def untranslated(chapter: str, lang: str) -> list[str]:
    """Ids of the chapter's markdown cells that have no translation at all."""
    _, english = notebooks.load_chapter(chapter)
    catalog = load_catalog(chapter, lang)
    return [c.id for c in prose_cells(english) if c.id not in catalog]


def stale(chapter: str, lang: str) -> list[str]:
    """Ids of cells whose English text changed after they were translated (or that no longer exist)."""
    _, english = notebooks.load_chapter(chapter)
    now = {c.id: fingerprint(c.source) for c in prose_cells(english)}
    return [cid for cid, e in load_catalog(chapter, lang).items() if now.get(cid) != e.en]


def catalog_chapters(lang: str) -> list[str]:
    """The chapters that have a catalog in `lang` (whether or not the English chapter still exists)."""
    return sorted(p.stem for p in (chapters_dir() / lang / "catalog").glob("*.toml"))


def stale_messages(chapter: str, lang: str) -> list[str]:
    """One sentence per stale cell of the chapter's catalog: which cell, and what to do about it."""
    _, english = notebooks.load_chapter(chapter)
    ids = {c.id for c in prose_cells(english)}
    where = catalog_path(chapter, lang).relative_to(course_root()).as_posix()
    return [
        f"chapter {chapter} cell {cid}: the English text changed after it was translated; update its translation "
        f"in {where}"
        if cid in ids
        else f"chapter {chapter} cell {cid}: the English chapter has no such markdown cell any more; remove it "
        f"from {where}"
        for cid in stale(chapter, lang)
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
    return problems


def build(chapter: str, lang: str) -> NotebookNode:
    """The edition: the English chapter with every translated markdown cell replaced, tagged with its language."""
    _, english = notebooks.load_chapter(chapter)
    nb = nbformat.from_dict(english)
    catalog = load_catalog(chapter, lang)
    for cell in prose_cells(nb):
        if cell.id in catalog:
            cell.source = catalog[cell.id].text
    nb.metadata["msalab"] = {**nb.metadata["msalab"], "language": lang}
    nb.metadata["language_info"] = nb.metadata.get("language_info", {"name": "python"})
    return nb


def write(chapter: str, lang: str) -> Path:
    path = edition_path(chapter, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(build(chapter, lang), path)
    return path


def skeleton(chapter: str) -> str:
    """A catalog to translate: every markdown cell's fingerprint, with its English text to be replaced."""
    _, english = notebooks.load_chapter(chapter)
    out = [f"# {chapter}: translate each `text`; keep `en` (it says which English text you translated).", ""]
    for cell in prose_cells(english):
        out += [f'[cells."{cell.id}"]', f'en = "{fingerprint(cell.source)}"', f"text = '''\n{cell.source}\n'''", ""]
    return "\n".join(out)


if __name__ == "__main__":  # python -m msalab.translation skeleton 09-saga > chapters/ko/catalog/09-saga.toml
    import sys

    print(skeleton(sys.argv[2]))
