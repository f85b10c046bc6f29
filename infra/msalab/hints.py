"""Tiered hints: read from labs/<lab>/hints.toml, shown one at a time (what was shown is kept by hintlog).

    ["hello.greeting"]
    hints = [
      "tier 1: a nudge toward the idea",
      "tier 2: where to look, which API",
      "last tier: nearly the approach, never the reference code",
    ]

The texts live in data files, not in code, so that a translated edition swaps the files and nothing else.
The Korean ones live beside them in labs/<lab>/hints.ko.toml, each tier with the fingerprint of the English hint it
translates (translation.fingerprint), so that a changed English hint shows up as stale:

    ["hello.greeting"]
    en = ["4f1c....", "9a0b....", "77de...."]   # the English tiers' fingerprints, in tier order
    hints = ["1단계 힌트", "2단계 힌트", "마지막 힌트"]

A learner who reads Korean (language.current()) gets the Korean hint, or the English one with a one-sentence note
when its translation is missing or stale.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass

from msalab import hintlog, language
from msalab.errors import MsalabError
from msalab.exercises import lab_exercises
from msalab.paths import labs_dir
from msalab.topology import available_labs, load_lab

HINTS_FILE = "hints.toml"


def translated_file(lang: str) -> str:
    return f"hints.{lang}.toml"


@dataclass(frozen=True)
class Translated:
    en: str  # fingerprint of the English hint this translates
    text: str


@dataclass(frozen=True)
class Hint:
    exercise: str
    tier: int  # 1-based
    total: int
    text: str
    last_seen_again: bool = False  # every hint was shown already: this repeats the last one
    lang: str = "en"  # the language of the frame around the text
    note: str = ""  # said before the text (a Korean learner shown the English hint: why)

    def heading(self) -> str:
        if self.lang == "ko":
            more = language.KO["hint.last"] if self.tier == self.total else ""
            fields = {"exercise": self.exercise, "tier": self.tier, "total": self.total}
            return language.KO["hint.heading"].format(**fields) + more
        more = " (the last one)" if self.tier == self.total else ""
        return f"Hint {self.tier} of {self.total} for {self.exercise}{more}"

    def __str__(self) -> str:
        note = f"{self.note}\n" if self.note else ""
        return f"{self.heading()}:\n{note}{self.text}"

    def _repr_markdown_(self) -> str:
        note = f"*{self.note}*\n\n" if self.note else ""
        return f"**{self.heading()}**\n\n{note}{self.text}"


def exercise_ids() -> list[str]:
    return [ex.id for lab in available_labs() for ex in lab_exercises(load_lab(lab))]


def lab_hints(lab: str) -> dict[str, list[str]]:
    """Every exercise's hints in lab `lab`, in tier order (an empty dict when the lab has no hints file)."""
    path = labs_dir() / lab / HINTS_FILE
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise MsalabError(f"{path} is not valid TOML ({e}); fix the file and try again.") from None
    return {ex_id: [str(t).strip() for t in table.get("hints", [])] for ex_id, table in raw.items()}


def translated_hints(lab: str, lang: str) -> dict[str, list[Translated]]:
    """Every exercise's translated hints in lab `lab`, in tier order (empty when the lab has no such file)."""
    path = labs_dir() / lab / translated_file(lang)
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
        return {
            ex_id: [
                Translated(str(en), str(text).strip())
                for en, text in zip(table.get("en", []), table.get("hints", []), strict=True)
            ]
            for ex_id, table in raw.items()
        }
    except (tomllib.TOMLDecodeError, ValueError, AttributeError) as e:
        raise MsalabError(
            f"{path} is not a hints file ({e}); each exercise needs `en` (fingerprints) and `hints`, one per tier."
        ) from None


def stale_hints(lab: str, lang: str) -> list[str]:
    """One sentence per translated hint of lab `lab` whose English hint changed (or is gone) since translation."""
    from msalab.translation import fingerprint

    english = lab_hints(lab)
    where = f"labs/{lab}/{translated_file(lang)}"
    found = []
    for ex_id, tiers in translated_hints(lab, lang).items():
        now = english.get(ex_id, [])
        for tier, hint in enumerate(tiers, start=1):
            if tier > len(now):
                found.append(f"{lab}: {ex_id} tier {tier} has no English hint any more; remove it from {where}")
            elif fingerprint(now[tier - 1]) != hint.en:
                found.append(
                    f"{lab}: {ex_id} tier {tier}: the English hint changed after it was translated; update it in "
                    f"{where}"
                )
    return found


def localised(exercise: str, tier: int, english: str, lang: str) -> tuple[str, str]:
    """The hint's text in `lang`, and a note: the translation when it is there and up to date, else the English
    text with a sentence saying why."""
    if lang == "en":
        return english, ""
    from msalab.translation import fingerprint

    tiers = translated_hints(exercise.partition(".")[0], lang).get(exercise, [])
    if tier <= len(tiers) and tiers[tier - 1].en == fingerprint(english) and tiers[tier - 1].text:
        return tiers[tier - 1].text, ""
    return english, language.KO["hint.fallback"]


def hints_for(exercise: str) -> list[str]:
    """The hints of `exercise`; an unknown id raises with the ids that look closest."""
    known = exercise_ids()
    if exercise not in known:
        lab = exercise.partition(".")[0]
        close = difflib.get_close_matches(exercise, known, n=3, cutoff=0.5) or [
            i for i in known if i.startswith(lab + ".")
        ]
        if close:
            suggestion = f"did you mean {', '.join(close)}?"
        else:  # nothing alike: the whole list of 40-odd ids would drown the answer, so name the labs
            suggestion = f"ids are <lab>.<name>, and the labs are {', '.join(available_labs())}."
        raise MsalabError(f"No exercise is called '{exercise}'; {suggestion}")
    texts = lab_hints(exercise.partition(".")[0]).get(exercise, [])
    if not texts:
        raise MsalabError(f"Exercise {exercise} has no hints yet; ask your instructor.")
    return texts


def reveal(exercise: str, n: int | None = None) -> Hint:
    """Hint `n` of `exercise` (1-based), or the first one not shown yet; records that it was shown."""
    texts = hints_for(exercise)
    total = len(texts)
    again = False
    if n is None:
        unseen = [t for t in range(1, total + 1) if t not in hintlog.seen(exercise)]
        n, again = (unseen[0], False) if unseen else (total, True)
    elif not 1 <= n <= total:
        raise MsalabError(f"Exercise {exercise} has hints 1 to {total}; there is no hint {n}.")
    hintlog.record(exercise, n)
    lang = language.current()
    text, note = localised(exercise, n, texts[n - 1], lang)
    return Hint(exercise, n, total, text, again, lang, note)
