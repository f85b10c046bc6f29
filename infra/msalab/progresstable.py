"""The learner's progress as one table: every exercise of the course, in chapter order, with its last verdict."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from msalab import language
from msalab.checklog import Entry, load

HEAD = ("chapter", "exercise", "last verdict", "points", "when")
HEAD_KEYS = ("progress.chapter", "progress.exercise", "progress.verdict", "progress.points", "progress.when")
VERDICT_KEYS = {"passed": "progress.passed", "failed": "progress.failed", "not checked yet": "progress.unchecked"}


def head() -> tuple[str, ...]:
    """The column headings in the learner's language."""
    return tuple(language.say(key, english) for key, english in zip(HEAD_KEYS, HEAD, strict=True))


def shown(verdict: str) -> str:
    """A verdict ("passed", ...) as the learner reads it; the JSON record keeps the English word."""
    return language.say(VERDICT_KEYS[verdict], verdict)


@dataclass(frozen=True)
class Row:
    chapter: str
    exercise: str
    title: str
    entry: Entry | None  # None: never checked

    @property
    def verdict(self) -> str:
        if self.entry is None:
            return "not checked yet"
        return "passed" if self.entry.passed else "failed"

    @property
    def points(self) -> str:
        return "" if self.entry is None else f"{self.entry.points:g}/{self.entry.max_points:g}"

    @property
    def when(self) -> str:
        if self.entry is None:
            return ""
        try:  # the learner's local time reads better than UTC
            return datetime.fromisoformat(self.entry.when).astimezone().strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return self.entry.when


@dataclass(frozen=True)
class ProgressTable:
    rows: tuple[Row, ...]

    @property
    def passed(self) -> int:
        return sum(r.entry is not None and r.entry.passed for r in self.rows)

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {
                "chapter": r.chapter,
                "exercise": r.exercise,
                "verdict": r.verdict,
                "points": r.entry.points if r.entry else None,
                "max_points": r.entry.max_points if r.entry else None,
                "when": r.entry.when if r.entry else None,
            }
            for r in self.rows
        ]

    def summary(self) -> str:
        english = "{passed} of {total} exercises passed their public checks."
        return language.say("progress.summary", english, passed=self.passed, total=len(self.rows))

    def __str__(self) -> str:
        heading = head()
        cells = [heading] + [(r.chapter, r.exercise, shown(r.verdict), r.points, r.when) for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(heading))]
        lines = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        return "\n".join([*lines, self.summary()])

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "failed": "#cf222e", "not checked yet": "#6e7781"}
        cell = "text-align:left;padding:2px 8px"
        rows = "".join(
            f"<tr><td style='{cell}'>{html.escape(r.chapter)}</td>"
            f"<td style='{cell}' title='{html.escape(r.title)}'>{html.escape(r.exercise)}</td>"
            f"<td style='{cell};color:{colour[r.verdict]}'>{shown(r.verdict)}</td>"
            f"<td style='{cell}'>{r.points}</td><td style='{cell}'>{html.escape(r.when)}</td></tr>"
            for r in self.rows
        )
        heading = "".join(f"<th style='{cell}'>{html.escape(h)}</th>" for h in head())
        return f"<table><tr>{heading}</tr>{rows}</table><p>{html.escape(self.summary())}</p>"


def table(entries: dict[str, Entry] | None = None) -> ProgressTable:
    """Every exercise of every chapter (course.toml's order), with the recorded verdicts (default: progress.json).
    Records of exercises no chapter has any more are left out."""
    from msalab.coursemap import chapters
    from msalab.exercises import lab_exercises
    from msalab.topology import load_lab

    entries = load() if entries is None else entries
    rows = [
        Row(ch.id, ex.id, ex.title, entries.get(ex.id)) for ch in chapters() for ex in lab_exercises(load_lab(ch.lab))
    ]
    return ProgressTable(tuple(rows))
