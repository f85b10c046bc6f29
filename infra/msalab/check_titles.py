"""Check titles in the learner's language: what the `msalab.check(...)` table names each check by.

The English title is the check's own (`@check(..., title=...)` in labs/<lab>/checks.py, or the hidden ones in
solutions/<lab>/hidden_checks.py). A translation keys each title by the check's name, with the fingerprint of the
English title it translates (translation.fingerprint), the way hints.ko.toml does:

    # labs/hello/checks.ko.toml: the public checks only (labs/ is what learners get)
    [greets_ada]
    en = "1a2b3c4d5e6f7a8b"
    title = "back이 'ada'에게 'Hello, Ada!'로 인사해요"

The hidden checks' titles live in solutions/<lab>/hidden_checks.ko.toml, never under labs/, so a release cannot
show a hidden check by its translated title (release.leaks looks for one). A title whose translation is missing or
stale (the English title changed since) is shown in English; what a check saw is translated apart (check_messages.py).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from msalab import language
from msalab.errors import MsalabError
from msalab.paths import in_course, labs_dir, solutions_dir


@dataclass(frozen=True)
class Translated:
    en: str  # fingerprint of the English title this translates
    title: str


def translated_file(lang: str, hidden: bool) -> str:
    return f"hidden_checks.{lang}.toml" if hidden else f"checks.{lang}.toml"


def title_path(lab: str, lang: str, hidden: bool) -> Path:
    return (solutions_dir() if hidden else labs_dir()) / lab / translated_file(lang, hidden)


_cache: dict[Path, tuple[int, dict[str, Translated]]] = {}


def read_titles(path: Path) -> dict[str, Translated]:
    """The titles of one translation file by check name (empty when there is no such file)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
        titles = {name: Translated(str(t["en"]), str(t["title"]).strip()) for name, t in raw.items()}
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as e:
        raise MsalabError(
            f"{in_course(path)} is not a check titles file ({type(e).__name__}: {e}); each check is [<name>] with "
            "`en` (the English title's fingerprint) and `title`."
        ) from None
    _cache[path] = (stamp, titles)
    return titles


def translated_titles(lab: str, lang: str, hidden: bool) -> dict[str, Translated]:
    """The translated titles of lab `lab`'s public (or hidden) checks, by check name."""
    return read_titles(title_path(lab, lang, hidden))


def localised(exercise: str, name: str, english: str, hidden: bool, lang: str) -> str:
    """The check's title in `lang` when its translation is there and up to date, else `english`."""
    if lang == "en":
        return english
    from msalab.translation import fingerprint

    try:
        entry = translated_titles(exercise.partition(".")[0], lang, hidden).get(name)
    except MsalabError:
        return english  # a broken file never hides a verdict; tests/test_checks_ko.py names it
    if entry is None or not entry.title or entry.en != fingerprint(english):
        return english
    return entry.title


def shown(exercise: str, name: str, english: str, hidden: bool = False) -> str:
    """The check's title as the learner reads it (language.current())."""
    return localised(exercise, name, english, hidden, language.current())


def title_problems(lab: str, lang: str) -> list[str]:
    """One sentence per check of lab `lab` without an up-to-date title in `lang`, and per translated title that
    names no such check (or names a hidden check in the public file): which check, and what to do."""
    from msalab.checks import load_checks
    from msalab.translation import fingerprint

    specs = load_checks(lab, include_hidden=True)
    problems = []
    for hidden in (False, True):
        path = title_path(lab, lang, hidden)
        where = in_course(path)
        try:
            titles = read_titles(path)
        except MsalabError as e:
            problems.append(str(e))
            continue
        own = {s.name: s for s in specs if s.hidden == hidden}
        for spec in own.values():
            entry = titles.get(spec.name)
            if entry is None or not entry.title:
                problems.append(
                    f"{lab}: check {spec.name} ({spec.exercise}) has no {lang} title; add [{spec.name}] with "
                    f'en = "{fingerprint(spec.title)}" and its title to {where}'
                )
            elif entry.en != fingerprint(spec.title):
                problems.append(
                    f"{lab}: check {spec.name}: the English title changed after it was translated (now "
                    f'{spec.title!r}); update its title and set en = "{fingerprint(spec.title)}" in {where}'
                )
        for name in sorted(set(titles) - set(own)):
            if not hidden and any(s.name == name and s.hidden for s in specs):
                problems.append(
                    f"{lab}: {where} names the hidden check {name}; move it to "
                    f"{in_course(title_path(lab, lang, hidden=True))} (labs/ is what learners get)"
                )
            elif hidden and any(s.name == name and not s.hidden for s in specs):
                problems.append(f"{lab}: {where} names the public check {name}; its title belongs in labs/{lab}/")
            else:
                problems.append(f"{lab}: {where} names {name}, which is no check of this lab any more; remove it")
    return problems
