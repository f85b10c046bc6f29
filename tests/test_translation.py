"""The Korean edition (chapters/ko/), without Docker: translations that are not stale, editions in step with their
catalogs, code cells that are the English ones byte for byte (so a Korean submission is graded as an English one),
valid catalogs, and Hangul that matplotlib can draw."""

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
def test_an_edition_has_the_english_cells_and_code_byte_for_byte(english: Path) -> None:
    en, ko = _raw(english), _raw(_edition(english))
    assert [(c["id"], c["cell_type"]) for c in ko["cells"]] == [(c["id"], c["cell_type"]) for c in en["cells"]]
    for a, b in zip(en["cells"], ko["cells"], strict=True):
        if a["cell_type"] == "code":
            assert a == b, f"{english.stem} code cell {a['id']} differs in the Korean edition"
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
    assert notebooks.extract_answers(ko) == notebooks.extract_answers(en)
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
