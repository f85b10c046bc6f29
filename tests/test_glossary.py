"""The glossary (chapters/glossary.md), without Docker: a well-formed table whose every term names a chapter that
exists, linked from where a learner starts."""

from __future__ import annotations

import re

from msalab import coursemap
from msalab.paths import chapters_dir, course_root

GLOSSARY = chapters_dir() / "glossary.md"
HEADER = ["English", "한국어", "meaning", "chapter"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _rows() -> list[list[str]]:
    lines = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    assert [c.strip() for c in lines[0].strip("|").split("|")] == HEADER
    assert set(lines[1].replace("|", "").split()) == {"---"}
    return [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]]


def test_the_table_is_well_formed() -> None:
    rows = _rows()
    assert 50 <= len(rows) <= 70
    for row in rows:
        assert len(row) == 4 and all(row), row
        english, korean, meaning, _ = row
        assert HANGUL.search(korean), f"{english}: the Korean term has no Hangul"
        assert meaning.endswith("."), f"{english}: the meaning is one sentence"
    terms = [row[0].lower() for row in rows]
    assert len(terms) == len(set(terms)), "a term is listed twice"


def test_every_term_names_a_chapter_that_exists() -> None:
    ids = [c.id for c in coursemap.chapters()]
    for english, _, _, chapter in _rows():
        assert chapter in ids, f"{english}: no chapter {chapter}"
        assert (chapters_dir() / f"{chapter}.ipynb").is_file()


def test_terms_follow_the_course_order() -> None:
    ids = [c.id for c in coursemap.chapters()]
    order = [ids.index(row[3]) for row in _rows()]
    assert order == sorted(order)


def test_the_glossary_is_linked_from_the_welcome_chapter_and_the_readme() -> None:
    welcome = (chapters_dir() / "00-welcome.ipynb").read_text(encoding="utf-8")
    assert "(glossary.md)" in welcome
    assert "(chapters/glossary.md)" in (course_root() / "README.md").read_text(encoding="utf-8")
