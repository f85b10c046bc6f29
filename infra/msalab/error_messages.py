"""The course's own errors (MsalabError and its kinds), in the learner's language.

Every `raise SomeError(f"...")` of a MsalabError kind in infra/msalab is one sentence saying what happened and what
to do. Its English template is read from the source the way check_messages reads a check's (each `{...}` numbered
`{0}`, `{1}`, ... in order); infra/msalab/errors.<lang>.toml gives each its translation, and the error is shown
translated where a learner reads it (a notebook, the CLI), while `str(error)` stays the English record.
"""

from __future__ import annotations

import ast
from pathlib import Path

from msalab import language
from msalab.check_messages import Translation, read_messages, templates_in, translate
from msalab.errors import MsalabError

PACKAGE = Path(__file__).parent


def catalog_path(lang: str) -> Path:
    return PACKAGE / f"errors.{lang}.toml"


def error_kinds(sources: list[str]) -> set[str]:
    """MsalabError and every class that derives from it, by name, in `sources`."""
    kinds = {"MsalabError"}
    classes = [n for s in sources for n in ast.walk(ast.parse(s)) if isinstance(n, ast.ClassDef)]
    grown = True
    while grown:
        before = len(kinds)
        kinds |= {c.name for c in classes if any(isinstance(b, ast.Name) and b.id in kinds for b in c.bases)}
        grown = len(kinds) > before
    return kinds


def source_templates() -> list[str]:
    """The English templates of every error the package raises, in module and source order, each once."""
    sources = [p.read_text() for p in sorted(PACKAGE.glob("*.py"))]
    calls = dict.fromkeys(error_kinds(sources), 0)
    found: dict[str, None] = {}
    for source in sources:
        # the package's own lists of problems are reports for developers and graders, not errors a learner reads
        found.update(dict.fromkeys(templates_in(source, calls, pieces=False)))
    return list(found)


def localised(message: str, lang: str) -> str:
    if lang == "en" or not message:
        return message
    try:
        translations: list[Translation] = read_messages(catalog_path(lang))
    except MsalabError:
        return message  # a broken file never hides the error; tests/test_error_messages.py names it
    return translate(message, translations) or message


def shown(error: BaseException) -> str:
    """The error's sentence as the learner reads it (language.current())."""
    return localised(str(error), language.current())


def problems(lang: str) -> list[str]:
    """One sentence per error template without a translation in `lang`, and per translation no error says."""
    where = f"infra/msalab/{catalog_path(lang).name}"
    try:
        translations = read_messages(catalog_path(lang))
    except MsalabError as e:
        return [str(e)]
    wanted = source_templates()
    have = {t.english for t in translations}
    missing = [f"no {lang} translation of the error {e!r}; add it to {where}" for e in wanted if e not in have]
    stale = [
        f"{where} translates {t.english!r}, which no error of the package says any more; remove it"
        for t in translations
        if t.english not in wanted
    ]
    return missing + stale
