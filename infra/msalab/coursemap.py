"""The course's chapters, in order, from one source: chapters/course.toml.

The map figure (coursemap_figure.py), each chapter's "you are here" line, the "Next:" links and the stated times
all read this list, so that adding or renumbering a chapter is one edit."""

from __future__ import annotations

import html
import tomllib
from dataclasses import dataclass
from pathlib import Path

from msalab import language
from msalab.chaptertime import phrase
from msalab.errors import MsalabError
from msalab.paths import chapters_dir

# Gartner's model: the inner architecture and the six areas of the outer architecture, plus the welcome chapter,
# which belongs to none of them. The order is the order of the map's legend.
AREAS: dict[str, str] = {
    "welcome": "Welcome",
    "inner": "Inner architecture",
    "gateway": "External gateway",
    "mesh": "Service mesh",
    "containers": "Container management",
    "backing": "Backing services",
    "telemetry": "Telemetry",
    "cicd": "CI/CD",
}

END_OF_COURSE = "the end of the course"


@dataclass(frozen=True)
class Chapter:
    id: str  # the notebook's file name without .ipynb, e.g. "05-gateway"
    title: str
    area: str  # a key of AREAS
    lab: str
    minutes: int

    @property
    def number(self) -> int:
        return int(self.id.split("-", 1)[0])

    @property
    def file(self) -> str:
        return f"{self.id}.ipynb"

    @property
    def label(self) -> str:
        """How prose names the chapter: '5 · The external gateway'."""
        return f"{self.number} · {self.title}"

    @property
    def local_label(self) -> str:
        """`label` in the learner's language: '5장 · 외부 게이트웨이' for a Korean edition."""
        if not language.korean():
            return self.label
        title = language.KO.get(f"title.{self.id}", self.title)
        return language.say("map.label", self.label, number=self.number, title=title)


def area_name(area: str) -> str:
    """An area's name (a key of AREAS) in the learner's language."""
    return language.say(f"area.{area}", AREAS[area])


def course_file() -> Path:
    return chapters_dir() / "course.toml"


def chapters(path: Path | None = None) -> list[Chapter]:
    """Every chapter, in the course's order."""
    source = path or course_file()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise MsalabError(f"Cannot read the course list {source}: {e}") from e
    found = [Chapter(**entry) for entry in data.get("chapter", [])]
    for ch in found:
        if ch.area not in AREAS:
            raise MsalabError(f"{source}: chapter {ch.id} has area '{ch.area}'; the areas are {', '.join(AREAS)}.")
    return found


def find(chapter_id: str, course: list[Chapter] | None = None) -> Chapter:
    course = course if course is not None else chapters()
    for ch in course:
        if ch.id == chapter_id:
            return ch
    raise MsalabError(f"There is no chapter '{chapter_id}'; the chapters are: {', '.join(c.id for c in course)}.")


def next_chapter(chapter_id: str, course: list[Chapter] | None = None) -> Chapter | None:
    """The chapter after this one, or None at the end of the course."""
    course = course if course is not None else chapters()
    index = course.index(find(chapter_id, course))
    return course[index + 1] if index + 1 < len(course) else None


@dataclass(frozen=True)
class YouAreHere:
    """One line: where a chapter stands in the course and what comes next. Shows as a strip of numbered boxes in
    a notebook, as plain text elsewhere; it draws no figure, so it costs nothing under the grader."""

    chapter: Chapter
    course: tuple[Chapter, ...]

    def _next_text(self) -> str:
        nxt = next_chapter(self.chapter.id, list(self.course))
        return f"next: {nxt.label}" if nxt else f"next: {END_OF_COURSE}"

    def __str__(self) -> str:
        last = self.course[-1].number
        if language.korean():
            nxt = next_chapter(self.chapter.id, list(self.course))
            return language.KO["map.here"].format(
                last=last,
                number=self.chapter.number,
                area=area_name(self.chapter.area),
                time=phrase(self.chapter.minutes),
                next=nxt.local_label if nxt else language.KO["map.end"],
            )
        return (
            f"You are here: chapter {self.chapter.number} of {last} ({AREAS[self.chapter.area]}), "
            f"{phrase(self.chapter.minutes, 'en')}; {self._next_text()}."
        )

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        boxes = []
        for ch in self.course:
            here = ch.id == self.chapter.id
            style = (
                "display:inline-block;min-width:1.8em;text-align:center;margin-right:2px;padding:1px 3px;"
                f"border-radius:3px;border:1px solid #888;color:{'#fff' if here else '#333'};"
                f"background:{AREA_COLOURS[ch.area] if here else '#f4f4f4'}"
            )
            title = html.escape(f"{ch.local_label} ({area_name(ch.area)})")
            boxes.append(f"<span title='{title}' style='{style}'>{ch.number}</span>")
        return f"<div>{''.join(boxes)} &nbsp;{html.escape(str(self))}</div>"


# One colour per area, shared by the strip and the map so that a learner sees the same area in the same colour.
AREA_COLOURS: dict[str, str] = {
    "welcome": "#6e7781",
    "inner": "#0969da",
    "gateway": "#8250df",
    "mesh": "#bf3989",
    "containers": "#1a7f37",
    "backing": "#9a6700",
    "telemetry": "#cf222e",
    "cicd": "#0a7e8c",
}


def you_are_here(chapter_id: str) -> YouAreHere:
    course = chapters()
    return YouAreHere(find(chapter_id, course), tuple(course))
