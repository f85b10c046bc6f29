"""The course's own errors in Korean (msalab.error_messages): every error the package raises is translated and
none stale, a translation keeps what a learner copies, and a learner who reads Korean sees the sentence, without a
traceback, in a notebook and from the CLI, while str(error) stays English. No Docker needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from test_check_messages import copied_words
from test_checks_ko import HANGUL

from msalab import cli, error_messages, language
from msalab.check_messages import read_messages
from msalab.errors import MsalabError, UnknownLab

pytestmark = pytest.mark.usefixtures("own_state_in_english")


def test_error_kinds_include_those_derived_in_other_modules() -> None:
    kinds = error_messages.error_kinds(
        ["class MsalabError(Exception): ...\nclass NotReady(MsalabError): ...", "class Slow(NotReady): ..."]
    )
    assert kinds == {"MsalabError", "NotReady", "Slow"}
    assert "SandboxRefused" in error_messages.error_kinds([p.read_text() for p in error_messages.PACKAGE.glob("*.py")])


def test_every_error_has_an_up_to_date_korean_translation() -> None:
    problems = error_messages.problems("ko")
    assert not problems, "\n".join(problems)


def test_a_translated_error_keeps_what_a_learner_copies() -> None:
    for t in read_messages(error_messages.catalog_path("ko")):
        assert HANGUL.search(t.translated), f"{t.english!r} is not translated: {t.translated!r}"
        missing = sorted(w for w in copied_words(t.english) if w not in t.translated)
        assert not missing, f"the translation of {t.english!r} lacks {missing}: {t.translated!r}"
        holes = set(re.findall(r"(?<!\{)\{(\d+)\}", t.english))
        assert set(re.findall(r"(?<!\{)\{(\d+)\}", t.translated)) == holes, t.english


def test_a_korean_learner_reads_the_error_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    english = "There is no lab called 'nope'. Available labs: hello, shop."
    catalog = tmp_path / "errors.ko.toml"
    monkeypatch.setattr(error_messages, "catalog_path", lambda lang: catalog)
    try:
        catalog.write_text(
            '[[message]]\nen = "There is no lab called {0}. Available labs: {1}."\n'
            'ko = "{0}(이)라는 랩은 없어요. 있는 랩: {1}."\n'
        )
        error = UnknownLab(english)
        monkeypatch.setenv(language.LANG_VARIABLE, "ko")
        shown = error._render_traceback_()
        assert len(shown) == 1 and "'nope'(이)라는 랩은 없어요. 있는 랩: hello, shop." in shown[0]
        assert str(error) == english

        shell = InteractiveShell.instance()
        shell.run_cell("from msalab.errors import UnknownLab\nraise UnknownLab(" + repr(english) + ")")
        out = capsys.readouterr().out
        assert "랩은 없어요" in out and "Traceback" not in out

        def handler(args: object) -> int:
            raise error

        monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(handler))
        assert cli.main([]) == 1
        assert "msalab: 'nope'(이)라는 랩은 없어요" in capsys.readouterr().err
        monkeypatch.setenv(language.LANG_VARIABLE, "en")
        assert error_messages.shown(error) == english
    finally:
        InteractiveShell.clear_instance()


def _parser_with(handler: object):  # type: ignore[no-untyped-def]
    import argparse

    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    return parser


def test_an_untranslated_error_is_shown_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.LANG_VARIABLE, "ko")
    assert error_messages.shown(MsalabError("Something nobody translated.")) == "Something nobody translated."
