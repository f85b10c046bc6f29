"""The shop's pipeline, as code in its own repository: the CI server runs run(commit, registry) on every push."""

from __future__ import annotations

import subprocess
import sys


def run(commit: str, registry: str) -> None:
    stages = [
        ("unit tests", ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]),
        ("contract test", ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/contract_test.py"]),
        ("architecture", ["lint-imports", "--no-cache"]),
        (
            "build and push",
            [
                "python3",
                "ci/ocibuild.py",
                "--registry",
                registry,
                "--name",
                "shop",
                "--tag",
                commit,
                "--revision",
                commit,
                "app",
            ],
        ),
    ]
    for name, command in stages:
        print(f"== {name}: {' '.join(command)}", flush=True)
        if subprocess.run(command).returncode != 0:
            sys.exit(f"== {name} failed: the pipeline stops here, nothing is pushed")
    print(f"== done: registry has shop:{commit}")
