"""The course map as a figure: Gartner's model, the inner architecture in the middle and the six outer areas
around it, each box listing its chapters, one chapter highlighted. Drawing only; the data is coursemap.py."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from msalab.coursemap import AREA_COLOURS, Chapter, area_name

# Where each area sits on a 3 x 3 grid (column, row; row 0 at the bottom), in the spirit of Gartner's picture:
# requests enter through the gateway on the left, the platform's areas surround the services.
GRID: dict[str, tuple[int, int]] = {
    "welcome": (0, 2),
    "mesh": (1, 2),
    "telemetry": (2, 2),
    "gateway": (0, 1),
    "inner": (1, 1),
    "backing": (2, 1),
    "containers": (1, 0),
    "cicd": (2, 0),
}

CELL_W, CELL_H, GAP = 3.2, 1.9, 0.25


def draw(course: list[Chapter], highlight: str | None = None) -> Figure:
    """A figure of the course; the chapter `highlight` (an id) is bold, and its area filled."""
    fig = Figure(figsize=(10.5, 6.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-GAP, 3 * CELL_W + GAP)
    ax.set_ylim(-GAP, 3 * CELL_H + GAP)
    ax.axis("off")
    here = next((c for c in course if c.id == highlight), None)
    for area, (col, row) in GRID.items():
        x, y = col * CELL_W + GAP / 2, row * CELL_H + GAP / 2
        w, h = CELL_W - GAP, CELL_H - GAP
        colour = AREA_COLOURS[area]
        filled = here is not None and here.area == area
        ax.add_patch(
            FancyBboxPatch(
                (x, y),
                w,
                h,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                linewidth=3 if area == "inner" else 1.5,
                edgecolor=colour,
                facecolor=colour + ("33" if filled else "0d"),
            )
        )
        ax.text(x + 0.12, y + h - 0.12, area_name(area), va="top", ha="left", fontsize=12, weight="bold", color=colour)
        lines_y = y + h - 0.5
        for ch in (c for c in course if c.area == area):
            label = "\n".join(textwrap.wrap(ch.local_label, 34))  # in the learner's language
            mine = here is not None and ch.id == here.id
            ax.text(
                x + 0.2,
                lines_y,
                ("▶ " if mine else "") + label,
                va="top",
                ha="left",
                fontsize=10,
                weight="bold" if mine else "normal",
                color="#000" if mine else "#333",
            )
            lines_y -= 0.3 * (label.count("\n") + 1)
    return fig
