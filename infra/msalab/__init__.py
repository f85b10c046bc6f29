"""msalab: labs of real containers for a course on microservice architecture.

import msalab
lab = msalab.up("hello")          # start, wait until ready, get a handle
lab.url("front")                  # where to send requests
lab.kill("back")                  # break something on purpose
lab.down()                        # or let the kernel's end do it
"""

from __future__ import annotations

from collections.abc import Mapping

from msalab.__about__ import __version__
from msalab.errors import MsalabError
from msalab.lab import Lab
from msalab.topology import available_labs

__all__ = ["Lab", "MsalabError", "__version__", "attach", "down", "labs", "up"]


def up(name: str, *, ports: Mapping[str, int] | None = None, quiet: bool = False) -> Lab:
    """Start lab `name`; it goes when this Python process (your notebook's kernel) goes."""
    from msalab import runtime

    return runtime.up(name, mode="kernel", port_overrides=ports, quiet=quiet)


def attach(name: str, session: str | None = None) -> Lab:
    """A handle on a lab that is already running (for example one started with `msalab up` in a shell)."""
    return Lab.from_engine(name, session)


def down(name: str | None = None) -> int:
    """Remove lab `name` (every lab when None), whoever started it; returns how many containers went."""
    from msalab import cleanup

    return cleanup.remove(name).containers


def labs() -> list[str]:
    return available_labs()
