"""The image catalog (infra/images/images.toml) and which reference a lab uses for each key."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from msalab.errors import ImageMissing
from msalab.paths import images_dir

MODE_ENV = "MSALAB_IMAGES"  # auto (default) | official | offline


@dataclass(frozen=True)
class ImageSpec:
    key: str
    description: str
    official: str
    offline: str
    build: str | None = None  # folder under infra/images/ with a Dockerfile built on top of a registry image
    # A shell command, run in a running container of this image, that brings it back to a fresh start's state
    # (what a grader's warm lab does between submissions); a lab's service may declare its own instead.
    reset: str = ""

    @property
    def override_env(self) -> str:
        return "MSALAB_IMAGE_" + self.key.upper().replace("-", "_")

    @property
    def build_dir(self) -> Path | None:
        return images_dir() / self.build if self.build else None


@cache
def catalog() -> dict[str, ImageSpec]:
    with (images_dir() / "images.toml").open("rb") as f:
        raw = tomllib.load(f)
    return {key: ImageSpec(key=key, **fields) for key, fields in raw.items()}


def spec(key: str) -> ImageSpec:
    try:
        return catalog()[key]
    except KeyError:
        known = ", ".join(sorted(catalog()))
        raise ImageMissing(f"No image is called '{key}' in infra/images/images.toml; known ones: {known}.") from None


def resolve(key: str, present: Callable[[str], bool]) -> str:
    """The reference to run for `key`: an override, else what is already here, else the official one.

    `present(ref)` tells whether the engine has an image locally; preferring local images means a machine
    with only the offline equivalents (no registry) and a laptop with the official ones both just work.
    """
    s = spec(key)
    override = os.environ.get(s.override_env)
    if override:
        return override
    mode = os.environ.get(MODE_ENV, "auto")
    if mode == "official":
        return s.official
    if mode == "offline":
        return s.offline
    for ref in (s.official, s.offline):
        if present(ref):
            return ref
    return s.official


def needs_local_build(ref: str) -> bool:
    """Images under our own name are built here, never pulled; a missing one needs `msalab images build`."""
    return ref.startswith("msalab/")
