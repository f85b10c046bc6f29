"""The course list (chapters/course.toml) against the chapters themselves, without Docker: every notebook listed
once and in order, each one saying where it stands, what comes next, and where to read further."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from msalab import coursemap, notebooks
from msalab.paths import chapters_dir

COURSE = coursemap.chapters()
LINK = re.compile(r"\]\((\d\d-[a-z0-9-]+)\.ipynb\)")


def _notebook(ch: coursemap.Chapter) -> nbformat.NotebookNode:
    return nbformat.read(chapters_dir() / ch.file, as_version=4)


def _markdown(ch: coursemap.Chapter) -> list[str]:
    return [c.source for c in _notebook(ch).cells if c.cell_type == "markdown"]


def test_the_map_lists_every_chapter_file_and_no_other() -> None:
    files = sorted(p.stem for p in chapters_dir().glob("[0-9][0-9]-*.ipynb"))
    assert [c.id for c in COURSE] == files


def test_the_order_follows_the_file_numbers_without_gaps() -> None:
    assert [c.number for c in COURSE] == list(range(len(COURSE)))


def test_each_chapter_names_its_own_id_and_lab() -> None:
    for ch in COURSE:
        meta = _notebook(ch).metadata["msalab"]
        assert (meta["chapter"], meta["lab"]) == (ch.id, ch.lab), ch.id
        assert ch.area in coursemap.AREAS and ch.minutes > 0, ch.id


def test_every_outer_area_and_the_inner_architecture_have_a_chapter() -> None:
    assert {c.area for c in COURSE} == set(coursemap.AREAS)


@pytest.mark.parametrize("ch", COURSE, ids=lambda c: c.id)
def test_next_names_the_next_chapter_or_the_end(ch: coursemap.Chapter) -> None:
    last = _markdown(ch)[-1]
    nexts = [line for line in last.splitlines() if line.startswith("Next:")]
    assert len(nexts) == 1, f"{ch.id}: the last markdown cell needs one line starting 'Next:'"
    following = coursemap.next_chapter(ch.id, COURSE)
    if following is None:
        assert coursemap.END_OF_COURSE in nexts[0]
    else:
        assert LINK.findall(nexts[0])[:1] == [following.id], f"{ch.id}: Next should link {following.file}"
    for linked in LINK.findall(last):
        assert (chapters_dir() / f"{linked}.ipynb").is_file(), f"{ch.id} links {linked}, which does not exist"


@pytest.mark.parametrize("ch", COURSE, ids=lambda c: c.id)
def test_you_are_here_is_the_second_cell(ch: coursemap.Chapter) -> None:
    cell = _notebook(ch).cells[1]
    assert cell.cell_type == "code" and f'msalab.you_are_here("{ch.id}")' in cell.source


@pytest.mark.parametrize("ch", COURSE, ids=lambda c: c.id)
def test_further_reading_is_the_last_but_one_markdown_cell(ch: coursemap.Chapter) -> None:
    reading = _markdown(ch)[-2]
    links = re.findall(r"\]\((https://[^)\s]+)\)", reading)
    assert reading.startswith("## Further reading") and 2 <= len(links) <= 4, ch.id


def test_you_are_here_says_where_and_what_next() -> None:
    first, last = coursemap.you_are_here(COURSE[0].id), coursemap.you_are_here(COURSE[-1].id)
    assert f"next: {COURSE[1].label}" in str(first)
    assert coursemap.END_OF_COURSE in str(last)
    assert "<span" in first._repr_html_()


def test_an_unknown_chapter_lists_the_real_ones() -> None:
    with pytest.raises(coursemap.MsalabError, match="00-welcome"):
        coursemap.you_are_here("99-nope")


def test_the_figure_shows_every_chapter_and_highlights_one() -> None:
    from msalab.coursemap_figure import draw

    fig = draw(COURSE, "05-gateway")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for ch in COURSE:
        assert any(ch.label in t for t in texts), ch.id
    assert [t for t in texts if t.startswith("▶")] == ["▶ " + coursemap.find("05-gateway").label]


def test_a_korean_edition_draws_the_map_in_korean(monkeypatch: pytest.MonkeyPatch) -> None:
    from msalab.coursemap_figure import draw

    monkeypatch.setenv("MSALAB_LANG", "ko")
    texts = [t.get_text() for t in draw(COURSE, "05-gateway").axes[0].texts]
    assert "외부 게이트웨이" in texts and "▶ 5장 · 외부 게이트웨이" in texts, texts
    assert not any("The external gateway" in t for t in texts), texts


def test_a_bad_area_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "course.toml"
    bad.write_text('[[chapter]]\nid = "00-x"\ntitle = "x"\narea = "cloud"\nlab = "hello"\nminutes = 1\n')
    with pytest.raises(coursemap.MsalabError, match="area 'cloud'"):
        coursemap.chapters(bad)


@pytest.mark.parametrize("ch", COURSE, ids=lambda c: c.id)
def test_the_stated_time_is_the_course_lists(ch: coursemap.Chapter) -> None:
    from msalab.chaptertime import stated_minutes

    assert stated_minutes(_notebook(ch).cells[0].source) == ch.minutes, "run bench/chapter_times.py --write"


def test_a_time_reads_back_as_it_was_written() -> None:
    from msalab.chaptertime import phrase, restate, stated_minutes

    for minutes in (5, 45, 60, 95, 120):
        assert stated_minutes(f"**Time:** {phrase(minutes)}.") == minutes
    assert restate("**Time:** about 90 minutes (runs in 3).", 95) == "**Time:** about 1 hour 35 minutes (runs in 3)."


def test_the_readme_states_the_courses_total_time() -> None:
    from msalab.paths import course_root

    hours = sum(c.minutes for c in COURSE) / 60
    exercises = sum(len(notebooks.answer_cells(nbformat.read(p, as_version=4))) for p in notebooks.chapter_paths())
    readme = (course_root() / "README.md").read_text(encoding="utf-8")
    assert f"about {hours:.0f} hours: {exercises} exercises" in readme
