"""Which image reference a lab runs: an override wins, then what is already here, then the official one."""

from __future__ import annotations

import pytest

from msalab import images


def test_every_key_has_both_references() -> None:
    for s in images.catalog().values():
        assert s.official and s.offline and s.official != s.offline, s.key


def test_present_image_is_preferred_official_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSALAB_IMAGES", raising=False)
    s = images.spec("rabbitmq")
    assert images.resolve("rabbitmq", lambda ref: ref == s.offline) == s.offline
    assert images.resolve("rabbitmq", lambda ref: True) == s.official
    assert images.resolve("rabbitmq", lambda ref: False) == s.official


def test_override_and_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    s = images.spec("rabbitmq")
    monkeypatch.setenv("MSALAB_IMAGES", "offline")
    assert images.resolve("rabbitmq", lambda ref: True) == s.offline
    monkeypatch.setenv("MSALAB_IMAGE_RABBITMQ", "rabbitmq:3.13-management")
    assert images.resolve("rabbitmq", lambda ref: False) == "rabbitmq:3.13-management"


def test_unknown_key_names_the_known_ones() -> None:
    with pytest.raises(images.ImageMissing, match=r"known ones: .*python-service"):
        images.spec("nope")


def test_twin_recipes_ship_the_same_files() -> None:
    """Where an official build and its offline twin copy the same files in (an app, an entrypoint), the files
    are the same, so a lab behaves alike on either family."""
    from msalab.paths import images_dir

    for key in ("swarm-app", "dind"):
        official, offline = images_dir() / key, images_dir() / "offline" / key
        shared = {p.name for p in official.iterdir()} & {p.name for p in offline.iterdir()} - {"Dockerfile"}
        assert shared, key
        for name in shared:
            assert (official / name).read_text() == (offline / name).read_text(), f"{key}/{name}"
