"""What a check saw, in Korean (msalab.check_messages): templates read from the checks' source, every one
translated and none stale, the translation keeps what a learner copies verbatim, and a learner who reads Korean sees
it in the check table and the feedback while the grades' JSON keeps the English. No Docker needed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from test_checks_ko import HANGUL, code_words

from msalab import check_messages, language
from msalab.results import CheckResult, Report
from msalab.topology import available_labs

pytestmark = pytest.mark.usefixtures("own_state_in_english")


def test_templates_are_read_from_the_messages_checks_give() -> None:
    source = """
def c(ctx):
    ctx.expect(ok, f"Got {got!r} from {url}, expected {{json}}.")
    ctx.expect(ok, "plain " + ("a" if x else f"b {y}"))
    ctx.expect(ok, message)
    ctx.expect(ok, "; ".join(problems) + ".")
    raise CheckFailed(f"{n} of {m} failed")
    raise RuntimeError("the lab broke; ask your instructor")
    print(f"not a message {x}")
"""
    assert check_messages.templates_in(source) == [
        "Got {0} from {1}, expected {{json}}.",
        "plain a",
        "plain b {0}",
        "{0} of {1} failed",
        "the lab broke; ask your instructor",
    ]


def test_a_message_is_shown_in_korean_with_what_the_check_saw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = tmp_path / "messages.ko.toml"
    catalog.write_text(
        '[[message]]\nen = "Got {0} from {1}, expected {{json}}."\nko = "{1}에서 {{json}} 대신 {0}을(를) 받았어요."\n'
    )
    monkeypatch.setattr(check_messages, "message_path", lambda lab, lang, hidden: catalog)
    english = "Got 'x (1)' from http://127.0.0.1:8000/a, expected {json}. (back is not ready: exit code 1)"
    korean = check_messages.localised("hello.greeting", english, False, "ko")
    assert korean == "http://127.0.0.1:8000/a에서 {json} 대신 'x (1)'을(를) 받았어요. (back is not ready: exit code 1)"
    assert check_messages.localised("hello.greeting", english, False, "en") == english
    assert check_messages.localised("hello.greeting", "Something else entirely.", False, "ko") == (
        "Something else entirely."
    )


@pytest.mark.parametrize("lab", available_labs())
def test_every_check_message_has_an_up_to_date_korean_translation(lab: str) -> None:
    """Public and hidden checks alike; a failure names the lab, the message and what to do."""
    problems = check_messages.message_problems(lab, "ko")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lab", available_labs())
def test_a_translated_message_keeps_what_a_learner_copies(lab: str) -> None:
    for hidden in (False, True):
        for t in check_messages.read_messages(check_messages.message_path(lab, "ko", hidden)):
            assert HANGUL.search(t.translated), f"{lab}: {t.english!r} is not translated: {t.translated!r}"
            english_words = copied_words(t.english)
            korean = t.translated
            missing = sorted(w for w in english_words if w not in korean)
            assert not missing, f"{lab}: the translation of {t.english!r} lacks {missing}: {korean!r}"
            holes = set(re.findall(r"(?<!\{)\{(\d+)\}", t.english))
            assert set(re.findall(r"(?<!\{)\{(\d+)\}", korean)) == holes, (
                f"{lab}: the translation of {t.english!r} must fill in the same places {sorted(holes)}: {korean!r}"
            )


def copied_words(english: str) -> set[str]:
    """The code words of a template (tests/test_checks_ko.code_words) without its places and without what only the
    English sentence adds: a full stop or question mark after a word, a possessive, an ordinal's suffix."""
    tokens = []
    for token in re.sub(r"\{\d+\}", " ", english).split():
        token = re.sub(r"[.?!]+$", "", token)
        token = re.sub(r"(?<=\w)'s$", "", token)
        if token.endswith("'") and not token.startswith("'"):
            token = token[:-1]
        tokens.append(re.sub(r"^(\d+)(?:st|nd|rd|th)$", r"\1", token))
    return {w for w in code_words(" ".join(tokens)) if re.search(r"\w", w)}


def _course_templates() -> set[str]:
    """Every string the course's check machinery can put in a check's message, as templates."""
    found: set[str] = set()
    for name in ("checkrun.py", "checks.py", "grader.py", "execution.py"):
        tree = ast.parse((Path(check_messages.__file__).with_name(name)).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr | ast.Constant | ast.BinOp):
                for parts in check_messages.shapes(node):
                    found.add(check_messages.numbered(parts))
    return found


def test_what_the_course_says_about_a_check_is_translated_and_still_said() -> None:
    translations = check_messages.read_messages(check_messages.course_message_path("ko"))
    said = _course_templates()
    for t in translations:
        assert t.english in said, f"no module of the course says {t.english!r} any more; remove it"
        assert HANGUL.search(t.translated), t.english
    translated = {t.english for t in translations}
    for start in (
        "Not checked:",
        "Not answered:",
        "did not finish within",
        "Your answer is not valid",
        "Your answer keeps",
    ):
        assert any(e.startswith(start) for e in translated), f"no Korean for the course's {start!r} message"


def test_a_korean_learner_reads_the_message_in_the_table_and_the_record_stays_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    english = "did not finish within 30 s"
    result = CheckResult("hello.greeting", "greets_ada", "greets", False, 0, 1, english)
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    report = Report([result])
    assert "30초 안에 끝나지 않았어요" in str(report)
    assert "30초 안에 끝나지 않았어요" in report._repr_html_()
    assert report.to_json()["results"][0]["message"] == english
    monkeypatch.setenv(language.LANG_VARIABLE, "en")
    assert english in str(report)


def test_feedback_for_a_korean_class_is_korean_and_its_json_english(monkeypatch: pytest.MonkeyPatch) -> None:
    from msalab.grade_output import feedback
    from msalab.grader import ExerciseScore, Outcome

    result = CheckResult("hello.greeting", "greets_ada", "greets", False, 0, 1, "did not finish within 30 s")
    outcome = Outcome("ada", "00-welcome", {"hello.greeting": ExerciseScore(0, 1, [result])})
    outcome.problems.append("Cell 7 ran longer than 60 s and was stopped.")
    english = feedback(outcome)
    assert "# Feedback for ada" in english and "Cell 7 ran longer than 60 s" in english
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    korean = feedback(outcome)
    assert "# ada 피드백" in korean and "1점 중 0점" in korean
    assert "7번 셀이 60초보다 오래 실행돼서 멈췄어요." in korean
    assert "실패: " in korean and "30초 안에 끝나지 않았어요" in korean
    assert outcome.problems == ["Cell 7 ran longer than 60 s and was stopped."]


def test_a_list_of_problems_is_shown_piece_by_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces appended to `problems` are templates of their own, found where a message lists them; a piece may hold
    the separator, and a piece without a translation stays English beside the others."""
    source = 'problems.append(f"{n} orders are stuck")\naudit.problems.append("paid; not refunded")\nother.append("x")'
    assert check_messages.templates_in(source) == ["{0} orders are stuck", "paid; not refunded"]
    catalog = tmp_path / "messages.ko.toml"
    catalog.write_text(
        '[[message]]\nen = "Found: {0}."\nko = "찾았어요: {0}."\n'
        '[[message]]\nen = "{0} orders are stuck"\nko = "주문 {0}개가 멈췄어요"\n'
        '[[message]]\nen = "paid; not refunded"\nko = "결제됐지만 환불되지 않았어요"\n'
    )
    monkeypatch.setattr(check_messages, "message_path", lambda lab, lang, hidden: catalog)
    english = "Found: 3 orders are stuck; paid; not refunded; something new."
    assert check_messages.localised("saga.x", english, False, "ko") == (
        "찾았어요: 주문 3개가 멈췄어요; 결제됐지만 환불되지 않았어요; something new."
    )
    bare = "paid; not refunded; 2 orders are stuck."
    assert check_messages.localised("saga.x", bare, False, "ko") == "결제됐지만 환불되지 않았어요; 주문 2개가 멈췄어요."


def test_a_phrase_a_message_is_built_from_is_part_of_its_template() -> None:
    """A name assigned once to words stands for them; a parameter, data (no words) or a name assigned twice is what
    the check saw, and a function's own names hide the module's."""
    source = """
HINT = " (Look at the log.)"

def c(ctx, hint):
    ctx.expect(ok, f"Got {got}.{hint}")
    what = f"{n} orders" + (f", {kill} killed" if kill else "")
    tag = f"{run}-kb"
    ctx.expect(ok, f"After {what}: order {tag} is {status}." + HINT)

def d(ctx):
    hint = " (Ask.)"
    hint = hint + "!"
    ctx.expect(ok, f"Odd.{hint}")
"""
    assert check_messages.templates_in(source) == [
        "Got {0}.{1}",
        "After {0} orders, {1} killed: order {2} is {3}. (Look at the log.)",
        "After {0} orders: order {1} is {2}. (Look at the log.)",
        "Odd.{0}",
    ]


def test_words_a_check_gives_a_helper_as_its_hint_are_a_template_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`helper(..., hint=WORDS)`: the helper's message ends with them, so they are translated where it holds them;
    a hint that is what the check saw (a parameter) is not a template."""
    source = """
NEEDS = "Fix exercise 1 first; then this."

def c(ctx, seen):
    helper(ctx, 3, hint=NEEDS)
    helper(ctx, 4, hint=seen)
"""
    assert check_messages.templates_in(source) == ["Fix exercise 1 first; then this."]
    catalog = tmp_path / "messages.ko.toml"
    catalog.write_text(
        '[[message]]\nen = "After {0} orders: {1}. {2}"\nko = "주문 {0}개 뒤: {1}. {2}"\n'
        '[[message]]\nen = "Fix exercise 1 first; then this."\nko = "연습 1부터 고치고, 그다음에 이것."\n'
    )
    monkeypatch.setattr(check_messages, "message_path", lambda lab, lang, hidden: catalog)
    english = "After 3 orders: order 2 is stuck. Fix exercise 1 first; then this."
    assert check_messages.localised("saga.x", english, False, "ko") == (
        "주문 3개 뒤: order 2 is stuck. 연습 1부터 고치고, 그다음에 이것."
    )
