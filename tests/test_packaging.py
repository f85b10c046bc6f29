"""pyproject.toml (pip) and environment.yml (conda) must name the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO

# conda-forge names some packages differently from PyPI.
CONDA_TO_PIP = {"docker-py": "docker", "redis-py": "redis"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def pip_deps() -> set[str]:
    with (REPO / "pyproject.toml").open("rb") as f:
        return {_name(r) for r in tomllib.load(f)["project"]["dependencies"]}


def conda_deps() -> set[str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    entries: list[str] = []
    for dep in env["dependencies"]:
        entries += dep["pip"] if isinstance(dep, dict) else [dep]
    names = {CONDA_TO_PIP.get(_name(e), _name(e)) for e in entries if not e.startswith("-e")}
    return names - {"python", "pip"}


def test_environment_yml_and_pyproject_name_the_same_dependencies() -> None:
    assert pip_deps() == conda_deps(), f"pip only: {pip_deps() - conda_deps()}, conda only: {conda_deps() - pip_deps()}"


def test_python_version_agrees() -> None:
    with (REPO / "pyproject.toml").open("rb") as f:
        assert "3.11" in tomllib.load(f)["project"]["requires-python"]
    assert "python=3.11" in (REPO / "environment.yml").read_text()
