"""Tiered hints: read from labs/<lab>/hints.toml, shown one at a time (what was shown is kept by hintlog).

    ["hello.greeting"]
    hints = [
      "tier 1: a nudge toward the idea",
      "tier 2: where to look, which API",
      "last tier: nearly the approach, never the reference code",
    ]

The texts live in data files, not in code, so that a translated edition swaps the files and nothing else.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass

from msalab import hintlog
from msalab.errors import MsalabError
from msalab.exercises import lab_exercises
from msalab.paths import labs_dir
from msalab.topology import available_labs, load_lab

HINTS_FILE = "hints.toml"


@dataclass(frozen=True)
class Hint:
    exercise: str
    tier: int  # 1-based
    total: int
    text: str
    last_seen_again: bool = False  # every hint was shown already: this repeats the last one

    def heading(self) -> str:
        more = " (the last one)" if self.tier == self.total else ""
        return f"Hint {self.tier} of {self.total} for {self.exercise}{more}"

    def __str__(self) -> str:
        return f"{self.heading()}:\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.heading()}**\n\n{self.text}"


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
    return Hint(exercise, n, total, texts[n - 1], again)
