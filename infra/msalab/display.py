"""Showing a matplotlib figure once, in a notebook or a terminal, whatever backend the kernel has chosen."""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def show_figure(fig: Figure) -> None:
    """In IPython: display the figure as a PNG (a Figure returned as a cell's value could show twice, once by the
    inline backend and once as the value). Elsewhere: say where to look, since a terminal cannot show it."""
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=96, bbox_inches="tight")
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is not None and get_ipython() is not None:
        display(Image(data=png.getvalue()))
        return
    print("The course map is a figure: open chapters/00-welcome.ipynb in JupyterLab to see it.")
