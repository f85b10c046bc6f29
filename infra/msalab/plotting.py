"""Plots that can say Korean: a Hangul font as a fallback after matplotlib's own, so English text looks unchanged.

matplotlib (3.6 and later) looks for each glyph in the families of rcParams["font.family"] in turn: the default
("sans-serif", which is DejaVu Sans) draws every Latin letter as before, and a Hangul syllable, which DejaVu Sans
lacks, comes from the family put after it. The font is NanumGothic, shipped as TrueType files by the PyPI package
koreanize-matplotlib (a dependency of the course). That package is never imported: importing it makes NanumGothic
the font of every text, Latin included. Only its font files are used.

A notebook kernel that imports msalab gets this at once (msalab/__init__.py); elsewhere call `use_hangul_fallback()`.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

FONT_PACKAGE = "koreanize_matplotlib"
FONT_FILES = ("NanumGothic.ttf", "NanumGothicBold.ttf")  # regular, and bold for titles and `weight="bold"`

_applied: str | None = None


def hangul_font_files() -> list[Path]:
    """The Hangul font files the course ships through its dependencies (empty when the package is missing)."""
    spec = importlib.util.find_spec(FONT_PACKAGE)  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        return []
    found = []
    for location in spec.submodule_search_locations:
        found += [p for name in FONT_FILES if (p := Path(location) / "fonts" / name).is_file()]
    return found


def use_hangul_fallback() -> str | None:
    """Register the Hangul font with matplotlib and put its family after the defaults; return that family.

    Idempotent. Returns None (and changes nothing) when no Hangul font is installed: a plot's Korean text then
    shows as boxes with a warning, and everything else works."""
    global _applied
    from matplotlib import font_manager, rcParams

    files = hangul_font_files()
    if not files:
        return None
    if _applied is None:
        for path in files:
            font_manager.fontManager.addfont(str(path))
        # NanumGothicBold says it weighs 600; as the family's only bold, it is what `weight="bold"` (700) means,
        # and matplotlib would otherwise warn under every bold title a learner sees.
        font_manager.fontManager.ttflist = [
            dataclasses.replace(e, weight=700) if Path(e.fname).name == FONT_FILES[1] else e
            for e in font_manager.fontManager.ttflist
        ]
        _applied = font_manager.FontProperties(fname=str(files[0])).get_name()
    for key in ("font.family", "font.sans-serif"):
        families = list(rcParams[key])
        if _applied not in families:
            rcParams[key] = [*families, _applied]
    return _applied
