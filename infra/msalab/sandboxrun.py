"""`python -m msalab.sandboxrun NOTEBOOK`: inside a grading sandbox, execute the graded notebook.

The grader reads one line from this process's output: the problems met, as JSON after a marker. Nothing the
notebook prints can earn points: scores come from the checks the grader runs afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat

from msalab.execution import execute

MARKER = "@@msalab-run@@"


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m msalab.sandboxrun")
    p.add_argument("notebook", type=Path)
    p.add_argument("--cell-timeout", type=float, required=True)
    p.add_argument("--notebook-timeout", type=float, required=True)
    args = p.parse_args()
    nb = nbformat.read(args.notebook, as_version=4)
    problems = execute(nb, Path.cwd(), os.environ, args.cell_timeout, args.notebook_timeout)
    sys.stdout.write("\n" + MARKER + json.dumps({"problems": problems}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
