"""What a check saw, in the learner's language.

A check's message is an f-string in labs/<lab>/checks.py or a helper module beside it (the hidden checks':
solutions/<lab>/*.py), filled with what the check saw. Its English template is read from the source
(`ctx.expect(condition, message)`, `raise CheckFailed(message)`, `raise RuntimeError(message)`): literal text
stays, each `{...}` becomes `{0}`, `{1}`, ... in order; a piece appended to a list of problems
(`problems.append(...)`) is a template too, translated wherever a message lists it. A translation gives the
template and its Korean, with the same numbered places:

    # labs/telemetry/messages.ko.toml (the hidden checks': solutions/telemetry/hidden_messages.ko.toml)
    [[message]]
    en = "diagnose() returned {0}, not a dict with service and operation."
    ko = "diagnose()가 service와 operation을 담은 dict가 아니라 {0}을(를) 돌려줬어요."

A message is translated as it is shown, by matching the English text against the lab's templates; the record
(grades JSON and CSV) keeps the English. A message that matches no translated template is shown in English, so a
missing or stale translation never hides a verdict; tests/test_check_messages.py names what is missing or stale.
The course's own sentences about checks (not checked, too slow) live in infra/msalab/messages.<lang>.toml.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path

from msalab import language
from msalab.errors import MsalabError
from msalab.paths import in_course, labs_dir, solutions_dir

HOLE = object()  # where a check fills in what it saw
# callee -> position of its message argument
MESSAGE_CALLS = {"expect": 1, "CheckFailed": 0, "AnswerHung": 0, "RuntimeError": 0}
# A check that lists what is wrong collects the pieces first (`problems.append(...)`) and joins them into one
# message with FRAGMENT_SEPARATOR; each piece is a template of its own and is translated where it is filled in.
FRAGMENT_LIST = "problems"
FRAGMENT_SEPARATOR = "; "
# A helper that ends its message with its caller's words takes them as `hint=...`: they are a template of their own
# too, translated where the helper's message holds them.
HINT_KEYWORD = "hint"


def shapes(node: ast.expr, names: dict[str, ast.expr] | None = None) -> list[list[object]]:
    """Every shape the message expression can take, as literal text and HOLEs (a conditional gives two). A name
    in `names` (text put together before the message is) stands for its text."""
    names = names or {}
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [[node.value]]
    if isinstance(node, ast.JoinedStr):
        return [
            part
            for parts in product(*(fstring_part(v, names) for v in node.values))
            for part in [[p for piece in parts for p in piece]]
        ]
    if isinstance(node, ast.IfExp):
        return shapes(node.body, names) + shapes(node.orelse, names)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):  # a long message cut short
        return shapes(node.value, names)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [left + right for left in shapes(node.left, names) for right in shapes(node.right, names)]
    if isinstance(node, ast.Name) and node.id in names:
        return shapes(names[node.id], {k: v for k, v in names.items() if k != node.id})
    return [[HOLE]]


def fstring_part(value: ast.expr, names: dict[str, ast.expr]) -> list[list[object]]:
    if isinstance(value, ast.Constant):
        return [[value.value]]
    plain = isinstance(value, ast.FormattedValue) and value.conversion == -1 and value.format_spec is None
    if plain and isinstance(value.value, ast.Name) and value.value.id in names:  # type: ignore[attr-defined]
        return shapes(value.value, names)  # type: ignore[attr-defined]  # `{hint}`: the phrase `hint` was given
    return [[HOLE]]


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a module or function, not those of the functions inside it (but their definitions)."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def phrases(scope: ast.AST, outer: dict[str, ast.expr]) -> dict[str, ast.expr]:
    """The names a message in `scope` may be built from, each to the phrase it was assigned once (a string, an
    f-string, a sum or choice of them): `hint = " (Look at the log.)"`, then `f"... {hint}"` has it in its
    template. A name assigned anything else, assigned twice or a parameter is what the check saw."""
    stores: Counter[str] = Counter()  # every binding of a name: assignments, loop targets, parameters, ...
    values: dict[str, ast.expr] = {}
    for node in own_nodes(scope):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] += 1
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
    if isinstance(scope, SCOPES):
        stores.update(a.arg for a in ast.walk(scope.args) if isinstance(a, ast.arg))
    names = {name: value for name, value in outer.items() if name not in stores}
    names.update({name: v for name, v in values.items() if stores[name] == 1 and is_phrase(v)})
    return names


def message_calls(scope: ast.AST, outer: dict[str, ast.expr]) -> Iterator[tuple[ast.Call, dict[str, ast.expr]]]:
    """Every call in `scope` and the functions inside it, with the phrases its arguments may be built from."""
    names = phrases(scope, outer)
    for node in own_nodes(scope):
        if isinstance(node, ast.Call):
            yield node, names
        elif isinstance(node, SCOPES):
            yield from message_calls(node, names)


def is_phrase(node: ast.expr) -> bool:
    """Text with words in every shape it takes (`" (Look at the log.)"`), not a piece of data (`f"{tag}-kb"`)."""
    return is_text(node) and all(any(isinstance(p, str) and " " in p for p in parts) for parts in shapes(node))


def is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.IfExp):
        return is_text(node.body) and is_text(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return is_text(node.left) or is_text(node.right)
    return False


def numbered(parts: list[object]) -> str:
    numbered, holes = [], 0
    for part in parts:
        if part is HOLE:
            numbered.append(f"{{{holes}}}")
            holes += 1
        else:
            numbered.append(str(part).replace("{", "{{").replace("}", "}}"))
    return "".join(numbered)


def callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def appends_a_fragment(call: ast.Call) -> bool:
    """`problems.append(...)` or `audit.problems.append(...)`: a piece of a message listing what is wrong."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "append"):
        return False
    owner = func.value
    return (isinstance(owner, ast.Name) and owner.id == FRAGMENT_LIST) or (
        isinstance(owner, ast.Attribute) and owner.attr == FRAGMENT_LIST
    )


def templates_in(source: str, calls: dict[str, int] = MESSAGE_CALLS, pieces: bool = True) -> list[str]:
    """The English message templates of a module, in source order, each once: the argument at `calls[name]` of
    every call to `name`, every `hint=` given to a helper, and (with `pieces`) every piece appended to a list of
    problems."""
    found: dict[str, None] = {}
    for node, names in sorted(message_calls(ast.parse(source), {}), key=lambda c: (c[0].lineno, c[0].col_offset)):
        at = 0 if pieces and appends_a_fragment(node) else calls.get(callee(node))
        said = [node.args[at]] if at is not None and len(node.args) > at else []
        said += [k.value for k in node.keywords if k.arg == HINT_KEYWORD]
        for parts in (parts for words in said for parts in shapes(words, names)):
            if any(isinstance(p, str) and re.search("[A-Za-z]", p) for p in parts):  # else nothing to translate
                found[numbered(parts)] = None
    return list(found)


def source_templates(lab: str, hidden: bool) -> list[str]:
    """The templates of the lab's public checks and the helpers beside them (labs/<lab>/*.py), or of its hidden
    checks and theirs (solutions/<lab>/*.py); a service's own code is not a check's."""
    folder = solutions_dir() / lab if hidden else labs_dir() / lab
    found: dict[str, None] = {}
    for path in sorted(folder.glob("*.py"), key=lambda p: (p.name not in ("checks.py", "hidden_checks.py"), p.name)):
        found.update(dict.fromkeys(templates_in(path.read_text())))
    return list(found)


def message_path(lab: str, lang: str, hidden: bool) -> Path:
    if hidden:
        return solutions_dir() / lab / f"hidden_messages.{lang}.toml"
    return labs_dir() / lab / f"messages.{lang}.toml"


def course_message_path(lang: str) -> Path:
    return Path(__file__).with_name(f"messages.{lang}.toml")


@dataclass(frozen=True)
class Translation:
    english: str
    translated: str
    pattern: re.Pattern[str]


def pattern(english: str) -> re.Pattern[str]:
    """Matches a message made from `english`; a check runner's note in parentheses may follow it."""
    pieces = re.split(r"(\{\d+\})", english.replace("{{", "\0").replace("}}", "\1"))
    body = "".join(
        "(.*?)" if re.fullmatch(r"\{\d+\}", p) else re.escape(p.replace("\0", "{").replace("\1", "}")) for p in pieces
    )
    return re.compile(f"{body}(?P<note> \\(.*\\))?", re.DOTALL)


_cache: dict[Path, tuple[int, list[Translation]]] = {}


def read_messages(path: Path) -> list[Translation]:
    """The translations in one file (none when there is no such file)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return []
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
        lang = path.name.split(".")[-2]
        entries = [(str(m["en"]), str(m[lang]).strip()) for m in raw.get("message", [])]
        translations = [Translation(en, tr, pattern(en)) for en, tr in entries]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as e:
        raise MsalabError(
            f"{in_course(path)} is not a check messages file ({type(e).__name__}: {e}); each message is a [[message]] "
            "with `en` (the English template) and its translation."
        ) from None
    _cache[path] = (stamp, translations)
    return translations


def translate(message: str, translations: list[Translation]) -> str | None:
    """`message` filled into the first translation whose English template it matches; None when none does. What
    fills a place is translated too where it is a list of problems whose pieces have templates of their own."""
    for t in translations:
        seen = t.pattern.fullmatch(message)
        if seen is None:
            continue
        holes = [pieces_translated(h, translations) for h in seen.groups()[: seen.re.groups - 1]]
        try:
            return t.translated.format(*holes) + (seen["note"] or "")
        except (IndexError, KeyError, ValueError):
            return None  # a translation with a place the English has not: tests/test_check_messages.py names it
    return None


def pieces_translated(filled: str, translations: list[Translation]) -> str:
    """What filled a place, each of its pieces translated where one has a template (a piece is shorter than the
    message it fills, so this ends)."""
    if not re.search("[A-Za-z]", filled):
        return filled
    parts = filled.split(FRAGMENT_SEPARATOR)
    shown, start = [], 0
    while start < len(parts):
        for end in range(start + 1, len(parts) + 1):  # the shortest run first; a piece may hold the separator
            translated = translate(FRAGMENT_SEPARATOR.join(parts[start:end]), translations)
            if translated is not None:
                break
        else:
            end, translated = start + 1, parts[start]
        shown.append(translated)
        start = end
    return FRAGMENT_SEPARATOR.join(shown)


def localised(exercise: str, message: str, hidden: bool, lang: str) -> str:
    """The message in `lang` when a translated template matches it, else as it is."""
    if lang == "en" or not message:
        return message
    lab = exercise.partition(".")[0]
    try:
        files = [message_path(lab, lang, hidden), course_message_path(lang)]
        if hidden:
            files.insert(1, message_path(lab, lang, hidden=False))  # hidden checks share the probes' words
        translations = [t for path in files for t in read_messages(path)]
    except MsalabError:
        return message  # a broken file never hides a verdict; tests/test_check_messages.py names it
    translated = translate(message, translations)
    if translated is None:  # a message that is nothing but a list of problems
        body, stop = (message[:-1], ".") if message.endswith(".") else (message, "")
        translated = pieces_translated(body, translations) + stop
    return translated


def course_shown(message: str) -> str:
    """A sentence of the course's own about a submission (the grader's, a notebook run's), as the learner reads it."""
    lang = language.current()
    if lang == "en":
        return message
    try:
        return translate(message, read_messages(course_message_path(lang))) or message
    except MsalabError:
        return message


def shown(exercise: str, message: str, hidden: bool = False) -> str:
    """The message as the learner reads it (language.current())."""
    return localised(exercise, message, hidden, language.current())


def message_problems(lab: str, lang: str) -> list[str]:
    """One sentence per message template of lab `lab` without a translation in `lang`, per translation whose
    English no check says any more, and per translation that uses a place its English lacks."""
    problems = []
    for hidden in (False, True):
        path = message_path(lab, lang, hidden)
        where = in_course(path)
        try:
            translations = read_messages(path)
        except MsalabError as e:
            problems.append(str(e))
            continue
        wanted = source_templates(lab, hidden)
        have = {t.english for t in translations}
        for english in wanted:
            if english not in have:
                problems.append(f"{lab}: no {lang} translation of the message {english!r}; add it to {where}")
        for t in translations:
            if t.english not in wanted:
                problems.append(f"{lab}: {where} translates {t.english!r}, which no check says any more; remove it")
            holes = len(re.findall(r"(?<!\{)\{\d+\}", t.english))
            if set(re.findall(r"(?<!\{)\{(\d+)\}", t.translated)) - {str(i) for i in range(holes)}:
                problems.append(f"{lab}: {where}: the translation of {t.english!r} uses a place the English lacks")
    return problems
