"""Progress on long waits: a bar in JupyterLab and terminals, plain lines in logs, nothing when quiet."""

from __future__ import annotations

import sys
import threading
from typing import Protocol


class Progress(Protocol):
    def note(self, message: str) -> None: ...
    def done(self, item: str, seconds: float) -> None: ...
    def close(self) -> None: ...


class _Silent:
    def note(self, message: str) -> None:
        pass

    def done(self, item: str, seconds: float) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    def __init__(self, title: str, total: int) -> None:
        from tqdm.auto import tqdm

        # Containers start in parallel threads; tqdm's own lock does not cover set_postfix_str + update pairs.
        self._lock = threading.Lock()
        self._bar = tqdm(total=total, desc=title, unit="container", file=sys.stderr, leave=True)

    def note(self, message: str) -> None:
        with self._lock:
            self._bar.set_postfix_str(message)

    def done(self, item: str, seconds: float) -> None:
        with self._lock:
            self._bar.set_postfix_str(f"{item} ready in {seconds:.1f} s")
            self._bar.update(1)

    def close(self) -> None:
        with self._lock:
            self._bar.close()


def make_progress(title: str, total: int, quiet: bool = False) -> Progress:
    return _Silent() if quiet else _Bar(title, total)
