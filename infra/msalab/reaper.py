"""`python -m msalab.reaper --session S --pid P`: wait for P to die, then remove session S's lab."""

from __future__ import annotations

import argparse
import os
import time


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (a dead child nobody reaped yet) still answers kill(0): read its state where /proc exists.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m msalab.reaper")
    parser.add_argument("--session", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    while alive(args.pid):
        time.sleep(args.interval)
    from msalab import cleanup

    cleanup.remove(session=args.session)


if __name__ == "__main__":
    main()
