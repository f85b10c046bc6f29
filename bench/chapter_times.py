"""How long each chapter takes a learner: reading + exercises + running the lab. Not a test: it prints a table,
and with --write puts the result into chapters/course.toml (minutes) and each chapter's "**Time:**" sentence.

- reading: the words of the chapter's Markdown cells (diagrams and code blocks left out) at 200 words a minute;
- exercises: the chapter's answer cells, 20 minutes each (reading the task, writing, checking, fixing);
- run: the lab's start and the chapter's demo cells. Measured seconds can be given per chapter
  (`--run 09-saga=180`, for example from the chapter tests' durations); otherwise RUN_MINUTES is assumed.

Usage: .venv/bin/python bench/chapter_times.py [--run CHAPTER=SECONDS ...] [--write]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass

import nbformat

from msalab import chaptertime, coursemap
from msalab.paths import chapters_dir

WORDS_PER_MINUTE = 200
MINUTES_PER_EXERCISE = 20
RUN_MINUTES = 5.0  # a lab's start plus the demo cells, when nothing was measured
FENCED = re.compile(r"```.*?```", re.S)


@dataclass(frozen=True)
class Estimate:
    chapter: str
    words: int
    exercises: int
    run_minutes: float

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def minutes(self) -> int:
        total = self.reading_minutes + self.exercises * MINUTES_PER_EXERCISE + self.run_minutes
        return 5 * math.ceil(total / 5)


def estimate(ch: coursemap.Chapter, run_seconds: float | None) -> Estimate:
    nb = nbformat.read(chapters_dir() / ch.file, as_version=4)
    prose = " ".join(FENCED.sub(" ", c.source) for c in nb.cells if c.cell_type == "markdown")
    words = len(re.findall(r"\w+", prose))
    exercises = sum(1 for c in nb.cells if c.cell_type == "code" and c.metadata.get("msalab", {}).get("answer"))
    run = run_seconds / 60 if run_seconds is not None else RUN_MINUTES
    return Estimate(ch.id, words, exercises, run)


def write(ch: coursemap.Chapter, minutes: int) -> None:
    """course.toml's minutes and the chapter's Time sentence, both from the same number."""
    toml = coursemap.course_file()
    text = toml.read_text(encoding="utf-8")
    block = re.compile(rf'(id = "{re.escape(ch.id)}"\n(?:[^\[\n][^\n]*\n)*?minutes = )\d+')
    new, n = block.subn(rf"\g<1>{minutes}", text)
    if n != 1:
        raise SystemExit(f"{toml}: found no 'minutes' line for {ch.id}")
    toml.write_text(new, encoding="utf-8")
    path = chapters_dir() / ch.file
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = chaptertime.restate(nb.cells[0].source, minutes)
    nbformat.write(nb, path)


def parse_runs(items: list[str]) -> dict[str, float]:
    runs = {}
    for item in items:
        chapter, _, seconds = item.partition("=")
        try:
            runs[chapter] = float(seconds)
        except ValueError:
            raise SystemExit(f"--run wants CHAPTER=SECONDS, not '{item}'") from None
    return runs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", action="append", default=[], metavar="CHAPTER=SECONDS", help="measured run time")
    p.add_argument("--write", action="store_true", help="update course.toml and the chapters' Time sentences")
    args = p.parse_args(argv)
    runs = parse_runs(args.run)
    course = coursemap.chapters()
    unknown = set(runs) - {c.id for c in course}
    if unknown:
        raise SystemExit(f"--run names no chapter: {', '.join(sorted(unknown))}")
    print(f"{'chapter':<26}{'words':>7}{'read':>7}{'exerc.':>8}{'run':>6}{'total':>8}  was")
    total = 0
    for ch in course:
        e = estimate(ch, runs.get(ch.id))
        total += e.minutes
        print(
            f"{ch.id:<26}{e.words:>7}{e.reading_minutes:>6.0f}m{e.exercises:>8}{e.run_minutes:>5.0f}m"
            f"{e.minutes:>7}m  {ch.minutes}m"
        )
        if args.write:
            write(ch, e.minutes)
    print(f"{'all chapters':<26}{'':>34}{total:>7}m  ({total / 60:.1f} hours)")
    if args.write:
        print("Wrote chapters/course.toml and each chapter's Time sentence; state the total in README.md.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
