"""msalab: labs of real containers for a course on microservice architecture.

import msalab
lab = msalab.up("hello")          # start, wait until ready, get a handle
lab.url("front")                  # where to send requests
lab.kill("back")                  # break something on purpose
msalab.check("hello.greeting")    # run an exercise's public checks
msalab.hint("hello.greeting")     # stuck? the next hint, one at a time
lab.down()                        # or let the kernel's end do it
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from msalab.__about__ import __version__
from msalab.errors import MsalabError
from msalab.lab import Lab
from msalab.results import Report
from msalab.topology import available_labs

if TYPE_CHECKING:  # names for the annotations only: importing them at run time would slow `import msalab`
    from msalab.coursemap import YouAreHere
    from msalab.hints import Hint
    from msalab.progresstable import ProgressTable

__all__ = [
    "Lab",
    "MsalabError",
    "Report",
    "__version__",
    "attach",
    "check",
    "course_map",
    "down",
    "hint",
    "labs",
    "progress",
    "up",
    "you_are_here",
]


def up(name: str, *, ports: Mapping[str, int] | None = None, quiet: bool = False) -> Lab:
    """Start lab `name`; it goes when this Python process (your notebook's kernel) goes."""
    from msalab import session

    if session.sandboxed():
        return session.current(name)
    if session.provided_session():
        provided = session.current(name)
        if provided is not None:
            return provided
    from msalab import runtime

    return session.remember(runtime.up(name, mode="kernel", port_overrides=ports, quiet=quiet))


def attach(name: str, session: str | None = None) -> Lab:
    """A handle on a lab that is already running (for example one started with `msalab up` in a shell)."""
    from msalab import session as sessions

    return sessions.remember(Lab.from_engine(name, session))


def down(name: str | None = None) -> int:
    """Remove lab `name` (every lab when None), whoever started it; returns how many containers went."""
    from msalab import cleanup, session

    if session.sandboxed():
        return 0  # the grader removes the lab it graded
    return cleanup.remove(name).containers


def check(exercise: str) -> Report:
    """Run the public checks of `exercise` against your running lab, in a separate process.

    The report shows itself as a table when it is a cell's last expression (print it elsewhere)."""
    from msalab.checking import check_in_subprocess

    return check_in_subprocess(exercise)


def course_map(chapter: str | None = None) -> None:
    """Show the course as Gartner's model: the inner architecture and the six outer areas, each with its chapters
    (`chapter`, an id such as "05-gateway", is highlighted)."""
    from msalab.coursemap import chapters
    from msalab.coursemap_figure import draw
    from msalab.display import show_figure

    show_figure(draw(chapters(), chapter))


def you_are_here(chapter: str) -> YouAreHere:
    """One line: where chapter `chapter` (an id such as "05-gateway") stands in the course, and what comes next."""
    from msalab.coursemap import you_are_here as line

    return line(chapter)


def progress() -> ProgressTable:
    """Your own check results across the course: each exercise's last verdict, points and when."""
    from msalab.progresstable import table

    return table()


def hint(exercise: str, n: int | None = None) -> Hint:
    """The next hint for `exercise` you have not seen yet, or hint `n`; shows "hint 2 of 3" with it."""
    from msalab.hints import reveal

    return reveal(exercise, n)


def labs() -> list[str]:
    return available_labs()


def _register_magic() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        from msalab.answers import load_ipython_extension

        load_ipython_extension(shell)
        # Korean text in a chapter's plots (the Korean edition, chapters/ko/): a Hangul font after the default one.
        from msalab.plotting import use_hangul_fallback

        use_hangul_fallback()


_register_magic()
