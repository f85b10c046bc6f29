"""The course's JupyterLab defaults (infra/jupyter/overrides.json, which infra/bin/setup installs into .venv) name
settings that the installed JupyterLab has, with values its schemas allow: a renamed setting would be ignored
without a word."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema

from conftest import REPO

OVERRIDES = REPO / "infra" / "jupyter" / "overrides.json"


def schemas_dir() -> Path:
    return Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_every_override_is_a_setting_of_the_installed_jupyterlab() -> None:
    overrides = json.loads(OVERRIDES.read_text())
    assert overrides
    for plugin, values in overrides.items():
        package, _, name = plugin.partition(":")
        schema_path = schemas_dir() / package / f"{name}.json"
        assert schema_path.is_file(), f"{plugin}: the installed JupyterLab has no such plugin"
        properties = json.loads(schema_path.read_text())["properties"]
        for key, value in values.items():
            assert key in properties, f"{plugin} has no setting {key!r}"
            jsonschema.validate(value, properties[key])


def test_the_course_silences_jupyter_news() -> None:
    notification = json.loads(OVERRIDES.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    assert "infra/jupyter/overrides.json" in (REPO / "infra" / "bin" / "setup").read_text()
