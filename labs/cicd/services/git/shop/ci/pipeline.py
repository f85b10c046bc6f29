"""The shop's pipeline, as code in its own repository: the CI server runs run(commit, registry) on every push.

Exercise cicd.pipeline: run the stages in order, and stop at the first that fails (a failed stage must fail
the build: raise, or sys.exit with a non-zero code), so that nothing untested ever reaches the registry:
  1. unit tests:     python3 -m pytest -q -p no:cacheprovider tests
  2. contract test:  python3 -m pytest -q -p no:cacheprovider tests/contract_test.py
  3. architecture:   lint-imports --no-cache
  4. build and push: python3 ci/ocibuild.py --registry REGISTRY --name shop --tag COMMIT --revision COMMIT app
Every command runs in the checked-out repository (the current directory).
"""

from __future__ import annotations

import subprocess  # noqa: F401


def run(commit: str, registry: str) -> None:
    print(f"pipeline for {commit[:12]}: no stages yet")
