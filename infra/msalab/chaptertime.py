"""A chapter's stated time: the "**Time:** about ..." sentence of its first cell, read and written in one way, so
that course.toml's minutes and what the chapter says can be compared (tests) and kept in step (bench)."""

from __future__ import annotations

import re

from msalab import language

# "**Time:** about 1 hour 40 minutes", "about 45 minutes", "about 2 hours"; what follows (a parenthesis) is kept.
STATED = re.compile(r"\*\*Time:\*\* about (?P<amount>(?:\d+ hours?)?(?: ?\d+ minutes)?)")


def phrase(minutes: int, lang: str | None = None) -> str:
    """'about 1 hour 40 minutes' ('약 1시간 40분' in Korean, by default when the learner reads Korean): minutes
    are rounded to 5, as no estimate is better than that."""
    minutes = max(5, 5 * round(minutes / 5))
    hours, rest = divmod(minutes, 60)
    if (lang or language.current()) == "ko":
        amount = [language.KO["time.hours"].format(hours=hours)] if hours else []
        amount += [language.KO["time.minutes"].format(minutes=rest)] if rest else []
        return language.KO["time.about"].format(amount=" ".join(amount))
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours > 1 else ''}")
    if rest:
        parts.append(f"{rest} minutes")
    return "about " + " ".join(parts)


def stated_minutes(text: str) -> int | None:
    """The minutes a chapter's first cell states, or None when it states none."""
    return _minutes(STATED.search(text), r"(\d+) hour", r"(\d+) minutes")


def _minutes(found: re.Match[str] | None, hours_pattern: str, minutes_pattern: str) -> int | None:
    if not found or not found.group("amount").strip():
        return None
    amount = found.group("amount")
    hours = re.search(hours_pattern, amount)
    mins = re.search(minutes_pattern, amount)
    return (int(hours.group(1)) * 60 if hours else 0) + (int(mins.group(1)) if mins else 0)


def restate(text: str, minutes: int) -> str:
    """`text` with its stated time replaced by `minutes`."""
    if stated_minutes(text) is None:
        raise ValueError("the text states no time ('**Time:** about N minutes')")
    return STATED.sub(f"**Time:** {phrase(minutes, 'en')}", text, count=1)


# The Korean edition's first cell says it as "**시간:** 약 1시간 35분" ("약 50분", "약 2시간").
STATED_KO = re.compile(r"\*\*시간:\*\* 약 (?P<amount>(?:\d+ ?시간)?(?: ?\d+ ?분)?)")


def stated_minutes_ko(text: str) -> int | None:
    """The minutes a Korean edition's first cell states, or None when it states none."""
    return _minutes(STATED_KO.search(text), r"(\d+) ?시간", r"(\d+) ?분")
