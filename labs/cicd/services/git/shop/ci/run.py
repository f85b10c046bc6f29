"""What the CI server runs for every push: the pipeline defined in ci/pipeline.py, with this build's commit.

    python3 ci/run.py        (COMMIT and REGISTRY come from the build's environment)

A failing stage must end the build as failed: pipeline.run() raises or exits non-zero.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pipeline  # noqa: E402  (ci/pipeline.py, found through the path above)

if __name__ == "__main__":
    pipeline.run(os.environ["COMMIT"], os.environ["REGISTRY"])
