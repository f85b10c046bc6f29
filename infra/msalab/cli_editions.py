"""`msalab editions [--lang ko] [--check]`: write the chapters' editions in another language from their catalogs,
or check that the committed ones are in step with the English chapters and the catalogs."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from msalab import notebooks, translation
from msalab.errors import MsalabError
from msalab.paths import chapters_dir, course_root


def add_editions_command(sub: Any) -> None:
    p = sub.add_parser(
        "editions",
        help="Write the chapters in another language from their catalogs, or check them (--check).",
        description="Write chapters/<lang>/<chapter>.ipynb for every English chapter from "
        "chapters/<lang>/catalog/<chapter>.toml (an untranslated cell or answer stub stays English), or check them.",
    )
    p.add_argument("--lang", default="ko", choices=sorted(translation.LANGUAGES), help="the language (default: ko)")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming every edition out of date and every stale translation",
    )
    p.add_argument(
        "--complete", action="store_true", help="with --check: an untranslated cell is a failure too, not a note"
    )
    p.set_defaults(handler=cmd_editions)


def english_chapters() -> list[str]:
    return [p.stem for p in notebooks.chapter_paths()]


def _rel(path: Path) -> str:
    return path.relative_to(course_root()).as_posix()


def in_step(chapter: str, lang: str) -> bool:
    """Whether the committed edition is exactly what `translation.build` makes now (outputs included: none)."""
    path = translation.edition_path(chapter, lang)
    if not path.is_file():
        return False
    return bool(
        json.loads(path.read_text(encoding="utf-8")) == json.loads(nbformat.writes(translation.build(chapter, lang)))
    )


def orphans(lang: str) -> list[Path]:
    """Editions and catalogs in `lang` whose English chapter does not exist (renamed or removed)."""
    known = set(english_chapters())
    folder = chapters_dir() / lang
    return sorted(p for p in [*folder.glob("*.ipynb"), *folder.glob("catalog/*.toml")] if p.stem not in known)


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(lang: str, complete: bool = False) -> Findings:
    """What is out of step in `lang`: failures (a catalog that is not one or is wrong, an edition out of date, a
    stale translation, an orphan) and notes (untranslated cells and stubs; failures too with `complete`)."""
    found = Findings()
    for chapter in english_chapters():
        try:
            translation.load_stubs(chapter, lang)
        except MsalabError as e:
            found.failures.append(str(e))
            continue
        path = translation.edition_path(chapter, lang)
        if not path.is_file():
            found.failures.append(f"{_rel(path)} is missing: run `msalab editions --lang {lang}`")
        elif not in_step(chapter, lang):
            found.failures.append(
                f"{_rel(path)} is out of date (its English chapter or catalog changed, or it was saved with "
                f"outputs): run `msalab editions --lang {lang}`"
            )
        found.failures += translation.catalog_problems(chapter, lang)
        found.failures += translation.stale_messages(chapter, lang)
        missing = translation.untranslated(chapter, lang)
        if missing:
            total = len(translation.prose_cells(notebooks.load_chapter(chapter)[1]))
            note = (
                f"chapter {chapter}: {len(missing)} of {total} markdown cells not translated yet: {', '.join(missing)}"
            )
            (found.failures if complete else found.notes).append(note)
        stubs = translation.untranslated_stubs(chapter, lang)
        if stubs:
            note = f"chapter {chapter}: {len(stubs)} answer stubs with prose not translated yet: {', '.join(stubs)}"
            (found.failures if complete else found.notes).append(note)
    for path in orphans(lang):
        found.failures.append(f"{_rel(path)} has no English chapter {path.stem}: remove it")
    return found


def write_all(lang: str) -> list[Path]:
    written = [translation.write(chapter, lang) for chapter in english_chapters()]
    for path in orphans(lang):
        if path.suffix == ".ipynb":  # a catalog is the translators' work: named by --check, never removed here
            path.unlink()
    return written


def cmd_editions(args: argparse.Namespace) -> int:
    name = translation.LANGUAGES[args.lang]
    if not args.check:
        if args.complete:
            raise MsalabError("--complete goes with --check.")
        written = write_all(args.lang)
        for chapter in english_chapters():
            for line in translation.stale_messages(chapter, args.lang):
                print(f"note: {line}")
        untranslated = sum(len(translation.untranslated(c, args.lang)) for c in english_chapters())
        print(f"Wrote {len(written)} {name} editions in {_rel(chapters_dir() / args.lang)}/ ", end="")
        stubs = sum(len(translation.untranslated_stubs(c, args.lang)) for c in english_chapters())
        print(f"({untranslated} markdown cells and {stubs} answer stubs still in English).")
        return 0
    found = check(args.lang, complete=args.complete)
    for line in found.notes:
        print(f"note: {line}")
    for line in found.failures:
        print(line)
    if found.failures:
        print(f"{len(found.failures)} problem(s) in the {name} edition.")
        return 1
    print(f"The {name} editions are in step with the English chapters and their catalogs.")
    return 0
