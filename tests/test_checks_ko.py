"""The Korean check titles (labs/<lab>/checks.ko.toml, solutions/<lab>/hidden_checks.ko.toml): every check has one,
none is stale, no hidden check is named under labs/ (nor ships in a release), and a learner who reads Korean sees
them in the check table (what a check saw: tests/test_check_messages.py). No Docker needed."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path
from typing import cast

import pytest

from msalab import check_titles, language, paths
from msalab.checks import load_checks
from msalab.results import CheckResult, Report
from msalab.topology import available_labs
from msalab.translation import fingerprint

HANGUL = re.compile(r"[가-힣]")


pytestmark = pytest.mark.usefixtures("own_state_in_english")


def code_words(title: str) -> set[str]:
    """What a learner may type or look for, copied verbatim: numbers, paths, names with dots or underscores, calls,
    quoted values, header names (a number keeps its digits: 404s, 1-hop -> 404, 1)."""
    words = set()
    for raw in title.split():
        word = raw.strip(",;:")
        if word.count("(") < word.count(")"):
            word = word.rstrip(")")
        if word.startswith("(") and ")" not in word:
            word = word[1:]
        word = word.strip(",;:")
        number = re.fullmatch(r"(\d+)(?:s|-[a-z]+)", word)
        if number:
            words.add(number[1])
        elif re.search(r"\d|_|/|\(\)|\w\.\w|^'.*'$|^[A-Z][a-z]+-[A-Z]", word):
            words.add(word)
    return words


@pytest.mark.parametrize("lab", available_labs())
def test_every_check_has_an_up_to_date_korean_title(lab: str) -> None:
    """Public and hidden checks alike; a failure names the lab, the check and what to do."""
    problems = check_titles.title_problems(lab, "ko")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lab", available_labs())
def test_no_korean_title_under_labs_names_a_hidden_check(lab: str) -> None:
    hidden = {s.name for s in load_checks(lab, include_hidden=True) if s.hidden}
    public = check_titles.translated_titles(lab, "ko", hidden=False)
    named = sorted(set(public) & hidden)
    assert not named, (
        f"labs/{lab}/checks.ko.toml names hidden checks {named}: labs/ is the student release; move them to "
        f"solutions/{lab}/hidden_checks.ko.toml"
    )
    assert not list((paths.labs_dir() / lab).rglob("hidden_checks*")), f"labs/{lab} holds a hidden checks file"


@pytest.mark.parametrize("lab", available_labs())
def test_korean_titles_are_korean_and_keep_the_code(lab: str) -> None:
    specs = load_checks(lab, include_hidden=True)
    bad = []
    for spec in specs:
        entry = check_titles.translated_titles(lab, "ko", spec.hidden).get(spec.name)
        if entry is None:
            continue  # test_every_check_has_an_up_to_date_korean_title names it
        if not HANGUL.search(entry.title):
            bad.append(f"{lab}: {spec.name}: {entry.title!r} is not Korean")
        lost = sorted(w for w in code_words(spec.title) if w not in entry.title)
        if lost:
            bad.append(f"{lab}: {spec.name}: copy {lost} verbatim from the English title into {entry.title!r}")
    assert not bad, "\n".join(bad)


# ---- what a learner sees ---------------------------------------------------------------------------------------
def _hello() -> tuple[CheckResult, CheckResult]:
    specs = {s.name: s for s in load_checks("hello", include_hidden=True)}
    public, hidden = specs["greets_ada"], specs["proper_names"]
    return (
        CheckResult(public.exercise, public.name, public.title, False, 0, 2, "got 'Hello, ada!'"),
        CheckResult(hidden.exercise, hidden.name, hidden.title, True, 1, 1, "passed", hidden=True),
    )


def test_the_report_shows_korean_titles_to_a_korean_learner(monkeypatch: pytest.MonkeyPatch) -> None:
    public, hidden = _hello()
    report = Report([public, hidden])
    english_text, english_page = str(report), report._repr_html_()
    assert public.title in english_text and public.title.replace("'", "&#x27;") in english_page
    assert not HANGUL.search(english_text) and not HANGUL.search(english_page)
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    korean_public = check_titles.translated_titles("hello", "ko", hidden=False)["greets_ada"].title
    korean_hidden = check_titles.translated_titles("hello", "ko", hidden=True)["proper_names"].title
    text, page = str(report), report._repr_html_()
    assert f"실패 0/2  {korean_public}: got 'Hello, ada!'" in text and f"{korean_hidden}: 통과" in text
    assert korean_public.replace("'", "&#x27;") in page and "got &#x27;Hello, ada!&#x27;" in page
    assert public.title not in text
    assert report.to_json()["results"][0]["title"] == public.title  # the record stays English


def test_a_korean_notebook_shows_korean_titles(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.NOTEBOOK_VARIABLE, "chapters/ko/00-welcome.ipynb")
    public, _ = _hello()
    assert public.shown_title == check_titles.translated_titles("hello", "ko", hidden=False)["greets_ada"].title


def test_msalab_check_in_a_terminal_shows_korean_titles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from msalab import checking, session
    from msalab.cli_course import cmd_check

    public, _ = _hello()
    monkeypatch.setattr(session, "current", lambda lab: object())
    monkeypatch.setattr(checking, "run_checks", lambda *a, **k: Report([public]))
    args = argparse.Namespace(exercise="hello.greeting", answers=None)
    assert cmd_check(args) == 1
    assert public.title in capsys.readouterr().out
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    assert cmd_check(args) == 1
    out = capsys.readouterr().out
    assert check_titles.translated_titles("hello", "ko", hidden=False)["greets_ada"].title in out
    assert "got 'Hello, ada!'" in out and out.rstrip().endswith("2점 중 0점")


def test_grading_feedback_names_hidden_checks_in_korean_when_grading_in_korean(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from msalab.grade_output import feedback, gradescope
    from msalab.grader import ExerciseScore, Outcome

    public, hidden = _hello()
    outcome = Outcome("ada", "00-welcome", {"hello.greeting": ExerciseScore(1, 3, [public, hidden])})
    assert hidden.title in feedback(outcome)
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    korean_hidden = check_titles.translated_titles("hello", "ko", hidden=True)["proper_names"].title
    assert f"(채점 전용): {korean_hidden} (1/1)" in feedback(outcome)
    tests = cast(list[dict[str, object]], gradescope(outcome)["tests"])
    names = [t["name"] for t in tests]
    assert f"hello.greeting: {korean_hidden}" in names


def _course_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A course whose hello lab (and its solutions) are copies, to break the translations of."""
    root = tmp_path / "course"
    shutil.copytree(paths.labs_dir() / "hello", root / "labs" / "hello")
    shutil.copytree(paths.solutions_dir() / "hello", root / "solutions" / "hello")
    monkeypatch.setenv("MSALAB_HOME", str(root))
    return root


def test_a_stale_or_missing_korean_title_shows_the_english_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _course_copy(tmp_path, monkeypatch)
    public, hidden = _hello()
    (root / "labs" / "hello" / "checks.ko.toml").write_text(
        f'[greets_ada]\nen = "{fingerprint(public.title)}"\ntitle = "새 제목"\n'
        '[returns_the_greeting]\nen = "0000000000000000"\ntitle = "옛 제목"\n',
        encoding="utf-8",
    )
    (root / "solutions" / "hello" / "hidden_checks.ko.toml").unlink()
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    stale = CheckResult(
        "hello.client", "returns_the_greeting", "greet_via_front returns front's greeting", True, 1, 1, ""
    )
    assert (public.shown_title, stale.shown_title, hidden.shown_title) == (
        "새 제목",
        stale.title,
        hidden.title,
    )
    assert check_titles.title_problems("hello", "ko") == [
        "hello: check returns_the_greeting: the English title changed after it was translated (now "
        f'{stale.title!r}); update its title and set en = "{fingerprint(stale.title)}" in labs/hello/checks.ko.toml',
        f"hello: check proper_names (hello.greeting) has no ko title; add [proper_names] with "
        f'en = "{fingerprint(hidden.title)}" and its title to solutions/hello/hidden_checks.ko.toml',
        f"hello: check survives_a_dead_back (hello.client) has no ko title; add [survives_a_dead_back] with "
        f'en = "{fingerprint(load_checks("hello", True)[-1].title)}" and its title to '
        "solutions/hello/hidden_checks.ko.toml",
    ]


def test_a_broken_titles_file_never_hides_a_verdict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _course_copy(tmp_path, monkeypatch)
    (root / "labs" / "hello" / "checks.ko.toml").write_text("[greets_ada\n", encoding="utf-8")
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    public, _ = _hello()
    assert public.shown_title == public.title
    assert check_titles.title_problems("hello", "ko")[0].startswith("labs/hello/checks.ko.toml is not a check titles")


def test_a_hidden_check_named_in_the_public_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _course_copy(tmp_path, monkeypatch)
    with (root / "labs" / "hello" / "checks.ko.toml").open("a", encoding="utf-8") as f:
        f.write('\n[proper_names]\nen = "0000000000000000"\ntitle = "숨은 검사"\n')
    assert check_titles.title_problems("hello", "ko") == [
        "hello: labs/hello/checks.ko.toml names the hidden check proper_names; move it to "
        "solutions/hello/hidden_checks.ko.toml (labs/ is what learners get)"
    ]


# ---- the release -----------------------------------------------------------------------------------------------
def test_the_release_ships_public_titles_and_no_hidden_ones(tmp_path: Path) -> None:
    from msalab.release import leaks, release

    out = release(tmp_path / "student")
    assert (out / "labs" / "hello" / "checks.ko.toml").is_file()
    assert not list(out.rglob("hidden_checks*")) and leaks(out) == []
    # The scan is real: the hidden titles file copied in, a hidden check named by its key, or its Korean title.
    shutil.copy(paths.solutions_dir() / "hello" / "hidden_checks.ko.toml", out / "labs" / "hello")
    assert leaks(out) == ["labs/hello/hidden_checks.ko.toml is part of solutions/"]
    (out / "labs" / "hello" / "hidden_checks.ko.toml").unlink()
    korean_hidden = check_titles.translated_titles("hello", "ko", hidden=True)["proper_names"].title
    with (out / "labs" / "hello" / "checks.ko.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[proper_names]\nen = "0000000000000000"\ntitle = "{korean_hidden}"\n')
    assert leaks(out) == [
        "labs/hello/checks.ko.toml names proper_names of solutions/hello/hidden_checks.py",
        "labs/hello/checks.ko.toml shows the title of a hidden check of solutions/hello/hidden_checks.ko.toml",
    ]
