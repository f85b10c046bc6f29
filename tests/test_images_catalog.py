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
