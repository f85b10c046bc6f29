"""Which language msalab speaks: MSALAB_LANG, else the notebook's folder (chapters/ko/ is Korean), else English;
and the fixed frames that change with it (you are here, progress, a check's report). No Docker needed."""

from __future__ import annotations

import pytest

from msalab import coursemap, language
from msalab.chaptertime import phrase
from msalab.checklog import Entry
from msalab.progresstable import table
from msalab.results import CheckResult, Report


@pytest.fixture(autouse=True)
def no_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(language.LANG_VARIABLE, raising=False)
    monkeypatch.delenv(language.NOTEBOOK_VARIABLE, raising=False)


@pytest.mark.parametrize(
    ("lang", "notebook", "expected"),
    [
        (None, None, "en"),
        ("ko", None, "ko"),
        ("KO_kr.UTF-8", None, "ko"),
        ("ko-KR", None, "ko"),
        ("en", None, "en"),
        ("fr", None, "en"),
        (None, "chapters/ko/05-gateway.ipynb", "ko"),
        (None, "/home/ada/msalab/chapters/ko/00-welcome.ipynb", "ko"),
        (None, "C:\\\\course\\\\chapters\\\\ko\\\\00-welcome.ipynb", "ko"),
        (None, "chapters/05-gateway.ipynb", "en"),
        (None, "ko/kodak/05-gateway.ipynb", "en"),  # only the notebook's own folder counts
        (None, "chapters/korean.ipynb", "en"),
        ("en", "chapters/ko/05-gateway.ipynb", "en"),  # the variable wins over the folder
        ("ko", "chapters/05-gateway.ipynb", "ko"),
    ],
)
def test_current_language(
    monkeypatch: pytest.MonkeyPatch, lang: str | None, notebook: str | None, expected: str
) -> None:
    if lang is not None:
        monkeypatch.setenv(language.LANG_VARIABLE, lang)
    if notebook is not None:
        monkeypatch.setenv(language.NOTEBOOK_VARIABLE, notebook)
    assert language.current() == expected


def test_jupyter_server_tells_a_kernel_its_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed jupyter_server still puts the notebook's path into a kernel's environment under the name
    language.py reads; if a new version renamed it, Korean editions would quietly show English."""
    from jupyter_server.services.sessions.sessionmanager import SessionManager

    env = SessionManager.get_kernel_env(None, "chapters/ko/05-gateway.ipynb")  # type: ignore[arg-type]
    assert env[language.NOTEBOOK_VARIABLE] == "chapters/ko/05-gateway.ipynb"
    monkeypatch.setenv(language.NOTEBOOK_VARIABLE, env[language.NOTEBOOK_VARIABLE])
    assert language.current() == "ko"


def test_every_korean_frame_string_has_the_fields_of_its_use() -> None:
    """Every key is filled with str.format: a template naming a field no caller passes would raise for a learner."""
    import string

    fields = {name for template in language.KO.values() for _, name, _, _ in string.Formatter().parse(template)}
    known = {None, "exercise", "tier", "total", "last", "number", "area", "time", "next", "title", "amount"}
    known |= {"hours", "minutes", "passed", "points", "max_points", "lab", "service", "error", "seconds"}
    known |= {"submission", "chapter", "max_total", "score", "max"}  # grade_output.feedback
    assert fields <= known


def test_every_chapter_and_area_has_a_korean_name() -> None:
    course = coursemap.chapters()
    assert [c.id for c in course if f"title.{c.id}" not in language.KO] == []
    assert [a for a in coursemap.AREAS if f"area.{a}" not in language.KO] == []


def test_you_are_here_in_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    english = str(coursemap.you_are_here("05-gateway"))
    assert english.startswith("You are here: chapter 5 of 11 (External gateway)")
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    here = coursemap.you_are_here("05-gateway")
    assert str(here) == "현재 위치: 11장 중 5장(외부 게이트웨이), 약 1시간 55분. 다음: 6장 · 서비스 메시."
    assert "5장 · 외부 게이트웨이 (외부 게이트웨이)" in here._repr_html_()
    assert str(coursemap.you_are_here("11-ci-cd")).endswith("다음: 과정의 끝.")


def test_the_stated_time_in_korean_reads_as_the_korean_editions_state_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from msalab.chaptertime import stated_minutes_ko

    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    for minutes in (5, 45, 60, 95, 120, 140):
        assert stated_minutes_ko(f"**시간:** {phrase(minutes)}") == minutes
    assert phrase(95, "en") == "about 1 hour 35 minutes"  # asked for English, English whatever the learner reads


def test_progress_in_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = Entry(exercise="hello.greeting", passed=True, points=2.0, max_points=2.0, when="2026-01-05T10:00:00+00:00")
    english = table({"hello.greeting": entry})
    assert "last verdict" in str(english) and english.to_json()[0]["verdict"] == "passed"
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    korean = table({"hello.greeting": entry})
    text, page = str(korean), korean._repr_html_()
    assert "마지막 결과" in text and "통과" in text and "아직 확인 안 함" in text
    assert "공개 검사를 통과했어요" in text and "마지막 결과" in page and "통과" in page
    assert korean.to_json()[0]["verdict"] == "passed"  # the machine's record stays English


def test_a_report_in_korean_keeps_the_check_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    report = Report(
        [
            CheckResult("hello.greeting", "a", "Greets Ada", True, 1, 1, "got 'Hello, Ada!'"),
            CheckResult("hello.greeting", "b", "Two words", False, 0, 1, "expected 'Hello, Ada Lovelace!'"),
        ]
    )
    assert str(report).endswith("1 of 2 points")
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    text, page = str(report), report._repr_html_()
    assert text.endswith("2점 중 1점") and "expected 'Hello, Ada Lovelace!'" in text
    assert "합계" in page and "실패" in page and "Greets Ada" in page
