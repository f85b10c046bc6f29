"""The Korean edition (chapters/ko/), without Docker: translations that are not stale, editions in step with their
catalogs, code cells that are the English ones byte for byte but for the translated prose of answer stubs, whose
code is the English code (so a Korean submission is graded as an English one), valid catalogs, and Hangul that
matplotlib can draw."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from msalab import cli, cli_editions, notebooks, translation

LANG = "ko"
ENGLISH = sorted((REPO / "chapters").glob("*.ipynb"))
EDITIONS = sorted((REPO / "chapters" / LANG).glob("*.ipynb"))
CATALOGS = sorted((REPO / "chapters" / LANG / "catalog").glob("*.toml"))


def _raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _edition(english: Path) -> Path:
    return REPO / "chapters" / LANG / english.name


# ---- stale translations ---------------------------------------------------------------------------------------
def test_no_english_cell_changed_after_it_was_translated() -> None:
    messages = [
        m for p in CATALOGS if p.stem in {e.stem for e in ENGLISH} for m in translation.stale_messages(p.stem, LANG)
    ]
    assert not messages, "\n".join(messages)


@pytest.fixture
def course_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary course with the English chapters only (no Korean catalogs or editions); msalab points at it."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "chapters", root / "chapters", ignore=shutil.ignore_patterns(LANG))
    monkeypatch.setenv("MSALAB_HOME", str(root))
    return root


def _translate(root: Path, chapter: str, texts: dict[str, str]) -> None:
    """A catalog of `chapter` in the course copy, translating the cells `texts` names."""
    _, english = notebooks.load_chapter(chapter)
    sources = {c.id: c.source for c in translation.prose_cells(english)}
    lines = []
    for cid, text in texts.items():
        lines += [f'[cells."{cid}"]', f'en = "{translation.fingerprint(sources[cid])}"', f"text = '''\n{text}\n'''", ""]
    path = root / "chapters" / LANG / "catalog" / f"{chapter}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def test_an_english_cell_changed_after_its_translation_is_named(
    course_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chapter = "09-saga"
    path = course_copy / "chapters" / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    first, second = [c for c in nb.cells if c.cell_type == "markdown"][1:3]
    _translate(course_copy, chapter, {first.id: "## 주문 하나, 서비스 셋", second.id: "## 실습 시작"})
    assert translation.stale(chapter, LANG) == []
    assert cli.main(["editions"]) == 0 and cli.main(["editions", "--check"]) == 0

    first.source += "\n\nA sentence added to the English after the translation."
    nbformat.write(nb, path)

    assert translation.stale(chapter, LANG) == [first.id]
    expected = (
        f"chapter {chapter} cell {first.id}: the English text changed after it was translated; "
        f"update its translation in chapters/ko/catalog/{chapter}.toml"
    )
    assert translation.stale_messages(chapter, LANG) == [expected]
    capsys.readouterr()
    assert cli.main(["editions", "--check"]) == 1
    out = capsys.readouterr().out
    assert expected in out and "1 problem(s)" in out
    # Until the translator catches up, the edition keeps the old translation.
    cell = next(c for c in translation.build(chapter, LANG).cells if c.id == first.id)
    assert cell.source == "## 주문 하나, 서비스 셋"


def test_a_removed_english_cell_is_named_too(course_copy: Path) -> None:
    _translate(course_copy, "09-saga", {})
    catalog = course_copy / "chapters" / LANG / "catalog" / "09-saga.toml"
    catalog.write_text('[cells."gone"]\nen = "0123456789abcdef"\ntext = "사라진 셀"\n', encoding="utf-8")
    assert translation.stale_messages("09-saga", LANG) == [
        "chapter 09-saga cell gone: the English chapter has no such markdown cell any more; "
        "remove it from chapters/ko/catalog/09-saga.toml"
    ]


# ---- the committed editions -----------------------------------------------------------------------------------
def test_every_english_chapter_has_an_edition_and_no_edition_is_left_over() -> None:
    assert [p.name for p in EDITIONS] == [p.name for p in ENGLISH], "run `msalab editions --lang ko`"


def test_every_edition_is_what_its_catalog_makes() -> None:
    behind = [p.stem for p in ENGLISH if not cli_editions.in_step(p.stem, LANG)]
    assert not behind, f"out of date: {', '.join(behind)}; run `msalab editions --lang ko` and commit chapters/ko/"


@pytest.mark.parametrize("english", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_an_edition_has_the_english_cells_and_the_english_code(english: Path) -> None:
    en, ko = _raw(english), _raw(_edition(english))
    assert [(c["id"], c["cell_type"]) for c in ko["cells"]] == [(c["id"], c["cell_type"]) for c in en["cells"]]
    for a, b in zip(en["cells"], ko["cells"], strict=True):
        if a["cell_type"] == "code" and not a["metadata"].get("msalab", {}).get("answer"):
            assert a == b, f"{english.stem} code cell {a['id']} differs in the Korean edition"
        elif a["cell_type"] == "code":  # an answer cell: its stub's docstrings and comments may be translated
            assert {**a, "source": ""} == {**b, "source": ""}, f"{english.stem} answer cell {a['id']} differs"
            en_source, ko_source = "".join(a["source"]), "".join(b["source"])
            assert translation.same_code(en_source, ko_source), f"{english.stem} answer cell {a['id']}: other code"
        else:
            assert a["metadata"] == b["metadata"], f"{english.stem} cell {a['id']}: metadata differs"
    assert ko["metadata"]["msalab"] == {**en["metadata"]["msalab"], "language": LANG}
    assert ko["metadata"]["kernelspec"] == en["metadata"]["kernelspec"]


@pytest.mark.parametrize("english", ENGLISH, ids=[p.stem for p in ENGLISH])
def test_a_korean_submission_is_graded_as_the_english_chapter(english: Path) -> None:
    en = nbformat.read(english, as_version=4)
    ko = nbformat.read(_edition(english), as_version=4)
    # The grader finds the canonical chapter by the submission's metadata and takes only its answer cells.
    assert notebooks.chapter_name(ko) == notebooks.chapter_name(en) == english.stem
    assert notebooks.load_chapter(notebooks.chapter_name(ko) or "")[1] == en
    en_answers, ko_answers = notebooks.extract_answers(en), notebooks.extract_answers(ko)
    assert list(ko_answers) == list(en_answers)
    for exercise, code in en_answers.items():
        assert translation.same_code(code, ko_answers[exercise]), f"{exercise}: the Korean stub is other code"
    assert {ex: c.metadata for ex, c in notebooks.answer_cells(ko).items()} == {
        ex: c.metadata for ex, c in notebooks.answer_cells(en).items()
    }


# ---- the catalogs ---------------------------------------------------------------------------------------------
def test_every_catalog_is_valid_and_belongs_to_a_chapter() -> None:
    chapters = {p.stem for p in ENGLISH}
    problems = [f"{p.name}: no English chapter {p.stem}" for p in CATALOGS if p.stem not in chapters]
    problems += [m for p in CATALOGS if p.stem in chapters for m in translation.catalog_problems(p.stem, LANG)]
    assert not problems, "\n".join(problems)


def test_a_bad_catalog_is_named_cell_by_cell(course_copy: Path) -> None:
    _, english = notebooks.load_chapter("09-saga")
    cells = translation.prose_cells(english)
    _translate(course_copy, "09-saga", {cells[0].id: "# 9 · 사가", cells[1].id: cells[1].source})
    path = course_copy / "chapters" / LANG / "catalog" / "09-saga.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'[cells."nope"]\nen = "0123456789abcdef"\ntext = "x"\n\n[cells."{cells[2].id}"]\nen = "x"\ntext = "  "\n',
        encoding="utf-8",
    )
    where = "chapters/ko/catalog/09-saga.toml"
    assert translation.catalog_problems("09-saga", LANG) == [
        f"{where} cell {cells[1].id}: the text is the English one; translate it or leave the cell out",
        f"{where} cell {cells[2].id}: en = 'x' is not a fingerprint; keep the skeleton's",
        f"{where} cell {cells[2].id}: the text is empty",
    ]
    path.write_text("[cells.broken\n", encoding="utf-8")
    [problem] = translation.catalog_problems("09-saga", LANG)
    assert problem.startswith(f"{where} is not a catalog")


# ---- translated stubs ----------------------------------------------------------------------------------------
def test_every_translated_stub_is_the_english_code_with_korean_prose() -> None:
    checked, problems = 0, []
    for p in CATALOGS:
        cells = {c.id: c for c in translation.stub_cells(notebooks.load_chapter(p.stem)[1])}
        for cid, stub in translation.load_stubs(p.stem, LANG).items():
            checked += 1
            if not translation.same_code(cells[cid].source, stub.code):
                problems.append(f"{p.name} stub {cid}: not the English code")
            elif not re.search(r"[\uac00-\ud7a3]", stub.code):
                problems.append(f"{p.name} stub {cid}: no Korean in it")
    assert checked and not problems, "\n".join(problems)


def test_every_stub_with_prose_is_translated_and_used_by_its_edition() -> None:
    for english in ENGLISH:
        assert translation.untranslated_stubs(english.stem, LANG) == [], english.stem
        stubs = translation.load_stubs(english.stem, LANG)
        for cell in translation.build(english.stem, LANG).cells:
            if cell.id in stubs:
                assert cell.source.rstrip("\n") == stubs[cell.id].code, f"{english.stem} stub {cell.id}"


STUB = '''%%answer saga.example
"""Exercise: the module docstring."""

LIMIT = 3  # a comment


def step(state, event):
    """The function's docstring."""
    # a comment of its own line
    return state, []
'''


def test_same_code_accepts_other_docstrings_and_comments() -> None:
    korean = (
        STUB.replace("Exercise: the module docstring.", "연습 문제: 모듈 독스트링이에요.")
        .replace("# a comment of its own line", "# 한 줄짜리 주석이에요\n    # 두 줄이 되어도 돼요")
        .replace("# a comment", "# 주석")
        .replace("The function's docstring.", "함수의 독스트링이에요.\n\n    여러 줄이어도 돼요.")
    )
    assert korean != STUB and translation.same_code(STUB, korean)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("LIMIT = 3", "LIMIT = 4"),  # a constant
        ("return state, []", "return state, [1]"),
        ("def step(state, event)", "def step(state, evt)"),  # a name
        ("%%answer saga.example", "%%answer saga.other"),  # the magic line
        ('    """The function\'s docstring."""\n', "    x = 1\n"),  # a docstring replaced by code
        ("    return state, []", '    "not a docstring: the second statement"\n    return state, []'),
    ],
)
def test_same_code_rejects_a_changed_token(old: str, new: str) -> None:
    assert old in STUB
    assert not translation.same_code(STUB, STUB.replace(old, new))


def test_same_code_of_a_stub_that_is_not_python() -> None:
    yaml = "%%answer telemetry.slo\n# Exercise: write a rule.\ngroups:\n  - name: slo\n    rules: []\n"
    assert translation.same_code(yaml, yaml.replace("# Exercise: write a rule.", "# 연습 문제: 규칙을 써요.\n# 두 줄"))
    assert not translation.same_code(yaml, yaml.replace("name: slo", "name: slo2"))
    assert not translation.same_code(yaml, yaml.replace("groups:", "# groups:"))
    assert not translation.same_code(yaml, "%%answer telemetry.slo\ngroups = []\n")  # Python for YAML


def _add_stub(root: Path, chapter: str, cid: str, en: str, code: str) -> Path:
    path = root / "chapters" / LANG / "catalog" / f"{chapter}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(f'\n[stubs."{cid}"]\nen = "{en}"\ncode = {translation.toml_multiline(code)}\n')
    return path


def test_a_stale_stub_keeps_the_english_cell_and_is_named(
    course_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chapter = "09-saga"
    path = course_copy / "chapters" / f"{chapter}.ipynb"
    nb = nbformat.read(path, as_version=4)
    exercise, cell = next(iter(notebooks.answer_cells(nb).items()))
    korean = cell.source.replace('"""Exercise 1:', '"""연습 문제 1:', 1)
    assert korean != cell.source
    _add_stub(course_copy, chapter, cell.id, translation.fingerprint(cell.source), korean)
    assert translation.stale(chapter, LANG) == [] and translation.catalog_problems(chapter, LANG) == []
    built = next(c for c in translation.build(chapter, LANG).cells if c.id == cell.id)
    assert built.source == korean
    assert cli.main(["editions"]) == 0 and cli.main(["editions", "--check"]) == 0

    cell.source = cell.source.replace("COMPENSATION = {}", 'COMPENSATION = {"reserve": "release"}')
    nbformat.write(nb, path)

    assert translation.stale(chapter, LANG) == [cell.id]
    expected = (
        f"chapter {chapter} stub {cell.id} ({exercise}): the English answer cell changed after it was translated "
        f"(the edition has the English stub until then); update its translation in chapters/ko/catalog/{chapter}.toml"
    )
    assert translation.stale_messages(chapter, LANG) == [expected]
    built = next(c for c in translation.build(chapter, LANG).cells if c.id == cell.id)
    assert built.source == cell.source, "a stale stub may be stale code: the edition has the English one"
    capsys.readouterr()
    assert cli.main(["editions", "--check"]) == 1
    assert expected in capsys.readouterr().out


def test_a_stub_that_changes_the_code_is_a_catalog_problem(course_copy: Path) -> None:
    chapter = "09-saga"
    _, nb = notebooks.load_chapter(chapter)
    cells = list(notebooks.answer_cells(nb).values())
    first, second = cells[0], cells[1]
    _add_stub(course_copy, chapter, first.id, translation.fingerprint(first.source), first.source + "\nx = 1\n")
    _add_stub(course_copy, chapter, second.id, translation.fingerprint(second.source), second.source)
    where = f"chapters/ko/catalog/{chapter}.toml"
    assert translation.catalog_problems(chapter, LANG) == [
        f"{where} stub {first.id}: the code is not the English code (the `%%answer` line and everything but "
        "docstrings and comments must stay as they are)",
        f"{where} stub {second.id}: the code is the English one; translate it or leave the stub out",
    ]
    built = {c.id: c.source for c in translation.build(chapter, LANG).cells}
    assert built[first.id] == first.source, "code that is not the English code never reaches the edition"


def test_the_stub_skeleton_is_a_catalog_of_the_english_stubs(course_copy: Path) -> None:
    for chapter in ("08-backing-services", "11-ci-cd"):
        _, nb = notebooks.load_chapter(chapter)
        path = course_copy / "chapters" / LANG / "catalog" / f"{chapter}.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(translation.skeleton(chapter), encoding="utf-8")
        stubs = translation.load_stubs(chapter, LANG)
        with_prose = [c.id for c in translation.stub_cells(nb) if translation.has_prose(c.source)]
        assert list(stubs) == with_prose and with_prose
        sources = {c.id: c.source for c in translation.stub_cells(nb)}
        for cid, stub in stubs.items():
            assert stub.code == sources[cid].rstrip("\n") and stub.en == translation.fingerprint(sources[cid])
        assert len(translation.load_catalog(chapter, LANG)) == len(translation.prose_cells(nb))
        assert translation.untranslated_stubs(chapter, LANG) == []
    assert not translation.has_prose("%%answer x.y\nimport json  # noqa: F401\n\n\ndef f():\n    return 1\n")


def test_a_source_with_three_quotes_is_kept_as_a_toml_basic_string() -> None:
    import tomllib

    text = "x = '''a \\ \"b\"'''  # 주석"
    assert tomllib.loads(f"code = {translation.toml_multiline(text)}")["code"].strip("\n") == text


def test_links_in_translated_cells_resolve_from_the_korean_folder() -> None:
    """An edition lives one folder down: a translated link to the glossary is ../glossary.md."""
    broken = []
    for p in CATALOGS:
        for cid, entry in translation.load_catalog(p.stem, LANG).items():
            for target in re.findall(r"\]\(([^)#\s]+)", entry.text):
                if "://" not in target and not (REPO / "chapters" / LANG / target).exists():
                    broken.append(f"{p.name} cell {cid}: {target}")
    assert not broken, "\n".join(broken)


# ---- Hangul in plots ------------------------------------------------------------------------------------------
RENDER = textwrap.dedent(
    """
    import io, json, logging, sys, warnings

    import matplotlib
    matplotlib.use("Agg")
    if sys.argv[1] == "kernel":  # the course's setup, as a notebook kernel gets it when it imports msalab
        from IPython.core.interactiveshell import InteractiveShell
        InteractiveShell.instance()
    import msalab  # noqa: F401
    from matplotlib import font_manager, rcParams
    from matplotlib.figure import Figure

    logged = []
    handler = logging.Handler()
    handler.emit = lambda record: logged.append(record.getMessage())
    logging.getLogger("matplotlib").addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = Figure()
        ax = fig.subplots()
        ax.set_title("사가 보상 트랜잭션")
        ax.set_xlabel("saga 보상", weight="bold")  # chapters' plots use bold titles
        fig.savefig(io.BytesIO(), format="png")
    # The font each family of the fallback list resolves to (a list: a lone string is a fontconfig pattern).
    fonts = [
        font_manager.findfont(font_manager.FontProperties(family=[family]), fallback_to_default=False)
        for family in rcParams["font.family"]
    ]
    print(json.dumps({"warnings": [str(w.message) for w in caught] + logged, "fonts": fonts}))
    """
)


def _render(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", RENDER, mode], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _has_glyph(path: str, codepoint: int) -> bool:
    try:
        from fontTools.ttLib import TTFont

        return codepoint in TTFont(path, fontNumber=0).getBestCmap()
    except ImportError:
        from matplotlib.ft2font import FT2Font

        return codepoint in FT2Font(path).get_charmap()


def test_matplotlib_draws_hangul_with_the_course_setup() -> None:
    seen = _render("kernel")
    assert not seen["warnings"], seen["warnings"]  # no missing glyph, and no findfont complaint under a bold label
    assert any(_has_glyph(path, 0xC0AC) for path in seen["fonts"]), f"no font with 사 (U+C0AC) among {seen['fonts']}"
    assert not _has_glyph(seen["fonts"][0], 0xC0AC), "Latin text keeps matplotlib's default font"


def test_without_the_setup_the_same_figure_misses_hangul_glyphs() -> None:
    """The test above can fail: outside a kernel msalab changes nothing, and matplotlib's default font lacks Hangul."""
    seen = _render("plain")
    assert any(re.search(r"Glyph \d+ .*missing", w) for w in seen["warnings"]), seen


def test_the_readme_opens_the_korean_edition_with_the_same_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    korean = readme.split("## 한국어판", 1)[1].split("\n## ", 1)[0]
    for command in ("infra/bin/open", "infra/bin/test"):
        assert f"\n{command} " in readme and f"\n{command} " in korean, command
    assert "chapters/ko/" in korean and "msalab editions --check" in korean
