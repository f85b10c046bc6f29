"""Check results: one table for the notebook (HTML, with a plain-text fallback), JSON for the grader."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any

from msalab import check_messages, check_titles, language


@dataclass(frozen=True)
class CheckResult:
    exercise: str
    name: str
    title: str
    passed: bool
    points: float
    max_points: float
    message: str
    hidden: bool = False
    seconds: float = 0.0

    @property
    def shown_title(self) -> str:
        """The title as the learner reads it: in Korean when they read Korean and it is translated."""
        return check_titles.shown(self.exercise, self.name, self.title, self.hidden)

    @property
    def shown_message(self) -> str:
        """What the check saw as the learner reads it: in Korean when they read Korean and it is translated."""
        return check_messages.shown(self.exercise, self.message, self.hidden)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        return cls(**d)


@dataclass
class Report:
    """The checks of one or more exercises; what `msalab.check()` returns and shows."""

    results: list[CheckResult] = field(default_factory=list)
    problem: str = ""  # a reason no check could run (no lab, the checks crashed, ...)

    @property
    def points(self) -> float:
        return sum(r.points for r in self.results)

    @property
    def max_points(self) -> float:
        return sum(r.max_points for r in self.results)

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.passed for r in self.results) and not self.problem

    def to_json(self) -> dict[str, Any]:
        return {"problem": self.problem, "results": [asdict(r) for r in self.results]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls([CheckResult.from_dict(r) for r in data["results"]], data.get("problem", ""))

    def __str__(self) -> str:
        ok, fail = language.say("report.ok", "ok  "), language.say("report.fail", "FAIL")
        lines = [
            f"{ok if r.passed else fail} {r.points:g}/{r.max_points:g}  {r.shown_title}: {r.shown_message}"
            for r in self.results
        ]
        if self.problem:
            lines.append(self.problem)
        english = "{points:g} of {max_points:g} points"
        lines.append(language.say("report.summary", english, points=self.points, max_points=self.max_points))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        left = "text-align:left;padding:2px 8px"
        right = "text-align:right;padding:2px 8px"
        passed, failed = language.say("report.passed", "passed"), language.say("report.failed", "failed")
        rows = "".join(
            f"<tr><td style='{left};color:{'#1a7f37' if r.passed else '#cf222e'};font-weight:bold'>"
            f"{passed if r.passed else failed}</td><td style='{left}'>{html.escape(r.shown_title)}</td>"
            f"<td style='{right}'>{r.points:g}/{r.max_points:g}</td>"
            f"<td style='{left}'>{html.escape(r.shown_message)}</td></tr>"
            for r in self.results
        )
        problem = f"<p><b>{html.escape(self.problem)}</b></p>" if self.problem else ""
        words = (
            "",
            language.say("report.check", "check"),
            language.say("report.points", "points"),
            language.say("report.saw", "what it saw"),
        )
        head = "".join(f"<th style='{left}'>{h}</th>" for h in words)
        total = language.say("report.total", "total")
        return (
            f"{problem}<table><tr>{head}</tr>{rows}"
            f"<tr><td></td><td style='{left}'><b>{total}</b></td><td style='{right}'><b>{self.points:g}/"
            f"{self.max_points:g}</b></td><td></td></tr></table>"
        )
