"""The Korean hints (labs/<lab>/hints.ko.toml): complete, up to date with the English ones, as careful not to give
the reference away, and shown to a learner who reads Korean. No Docker needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_hints import quoted_reference_lines

from msalab import hints, language
from msalab.topology import available_labs

CODE = re.compile(r"`[^`]+`")


pytestmark = pytest.mark.usefixtures("own_state_in_english")


@pytest.mark.parametrize("lab", available_labs())
def test_every_exercise_and_tier_has_a_korean_hint(lab: str) -> None:
    english, korean = hints.lab_hints(lab), hints.translated_hints(lab, "ko")
    missing = [
        f"{lab}: {ex} tier {tier}"
        for ex, texts in english.items()
        for tier in range(1, len(texts) + 1)
        if tier > len(korean.get(ex, [])) or not korean[ex][tier - 1].text.strip()
    ]
    assert not missing, f"no Korean hint in labs/{lab}/hints.ko.toml for: {missing}"
    assert sorted(korean) == sorted(english), f"labs/{lab}/hints.ko.toml names exercises hints.toml does not"


@pytest.mark.parametrize("lab", available_labs())
def test_no_korean_hint_is_stale(lab: str) -> None:
    stale = hints.stale_hints(lab, "ko")
    assert not stale, "\n".join(stale)


@pytest.mark.parametrize("lab", available_labs())
def test_korean_hints_keep_the_code_of_the_english_ones(lab: str) -> None:
    """Code spans are copied verbatim: a learner types them."""
    english, korean = hints.lab_hints(lab), hints.translated_hints(lab, "ko")
    differ = [
        f"{lab}: {ex} tier {tier}: {sorted(set(CODE.findall(en)) ^ set(CODE.findall(ko.text)))}"
        for ex, texts in english.items()
        for tier, (en, ko) in enumerate(zip(texts, korean.get(ex, []), strict=False), start=1)
        if set(CODE.findall(en)) != set(CODE.findall(ko.text))
    ]
    assert not differ, f"Korean hints whose code spans differ from the English: {differ}"


def test_korean_hints_are_korean() -> None:
    hangul = re.compile(r"[가-힣]")
    english = [
        f"{lab}: {ex} tier {tier}"
        for lab in available_labs()
        for ex, tiers in hints.translated_hints(lab, "ko").items()
        for tier, hint in enumerate(tiers, start=1)
        if not hangul.search(hint.text)
    ]
    assert not english


def test_no_korean_hint_quotes_a_line_of_a_reference_answer() -> None:
    text = {
        lab: "\n".join(h.text for tiers in hints.translated_hints(lab, "ko").values() for h in tiers)
        for lab in available_labs()
    }
    quoted = quoted_reference_lines(text)
    assert not quoted, f"Korean hints quote reference answers: {quoted}"


def test_a_learner_who_reads_korean_gets_the_korean_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import msalab

    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    first = msalab.hint("hello.greeting")
    korean = hints.translated_hints("hello", "ko")["hello.greeting"]
    total = len(korean)
    assert (first.tier, first.text, first.note) == (1, korean[0].text, "")
    assert str(first).startswith(f"hello.greeting 힌트 1/{total}:\n")
    last = msalab.hint("hello.greeting", total)
    assert "(마지막 힌트)" in last._repr_markdown_() and last.text == korean[-1].text


def test_a_korean_notebook_gets_the_korean_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.NOTEBOOK_VARIABLE, "chapters/ko/00-welcome.ipynb")
    assert hints.reveal("hello.client").text == hints.translated_hints("hello", "ko")["hello.client"][0].text


def test_an_english_learner_gets_the_english_hint() -> None:
    hint = hints.reveal("hello.greeting")
    assert hint.text == hints.lab_hints("hello")["hello.greeting"][0] and str(hint).startswith("Hint 1 of ")


def _course_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, korean: str) -> None:
    """A copy of the hello lab whose Korean hints file is `korean`."""
    import shutil

    from msalab import paths

    labs = tmp_path / "labs"
    shutil.copytree(paths.labs_dir() / "hello", labs / "hello")
    (labs / "hello" / "hints.ko.toml").write_text(korean, encoding="utf-8")
    monkeypatch.setattr(hints, "labs_dir", lambda: labs)


def test_a_stale_or_missing_korean_hint_falls_back_to_english_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from msalab.translation import fingerprint

    english = hints.lab_hints("hello")["hello.greeting"]
    fresh = fingerprint(english[0])
    _course_with(
        tmp_path,
        monkeypatch,
        f'["hello.greeting"]\nen = ["{fresh}", "0000000000000000"]\nhints = ["새 힌트", "옛 힌트"]\n',
    )
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    assert hints.reveal("hello.greeting", 1).text == "새 힌트"
    stale, missing = hints.reveal("hello.greeting", 2), hints.reveal("hello.greeting", 3)
    for hint, tier in ((stale, 2), (missing, 3)):
        assert hint.text == english[tier - 1] and hint.note == language.KO["hint.fallback"]
        assert hint.note in str(hint) and hint.note in hint._repr_markdown_()
    assert hints.stale_hints("hello", "ko") == [
        "hello: hello.greeting tier 2: the English hint changed after it was translated; update it in "
        "labs/hello/hints.ko.toml"
    ]
