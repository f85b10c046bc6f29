"""Check results: one table for the notebook (HTML, with a plain-text fallback), JSON for the grader."""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any


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
        lines = [
            f"{'ok  ' if r.passed else 'FAIL'} {r.points:g}/{r.max_points:g}  {r.title}: {r.message}"
            for r in self.results
        ]
        if self.problem:
            lines.append(self.problem)
        lines.append(f"{self.points:g} of {self.max_points:g} points")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'✅' if r.passed else '❌'}</td><td>{html.escape(r.title)}</td>"
            f"<td style='text-align:right'>{r.points:g}/{r.max_points:g}</td>"
            f"<td style='text-align:left'>{html.escape(r.message)}</td></tr>"
            for r in self.results
        )
        problem = f"<p><b>{html.escape(self.problem)}</b></p>" if self.problem else ""
        return (
            f"{problem}<table><tr><th></th><th>check</th><th>points</th><th>what it saw</th></tr>{rows}"
            f"<tr><td></td><td><b>total</b></td><td style='text-align:right'><b>{self.points:g}/"
            f"{self.max_points:g}</b></td><td></td></tr></table>"
        )
