"""The offline images really build here, from the debootstrapped base and Debian packages, with no registry."""

from __future__ import annotations

import pytest

from msalab import engine, imagebuild, images

pytestmark = pytest.mark.docker


def test_an_offline_image_builds_from_scratch_without_a_registry(docker_engine: None) -> None:
    # redis is the smallest recipe; force skips the layer cache, so apt really installs inside `docker build`.
    (result,) = imagebuild.build(["redis"], mode="offline", force=True, log=lambda _: None)
    ref = images.spec("redis").offline
    assert (result.action, result.ref) == ("built", ref)
    out = engine.client().containers.run(ref, ["redis-cli", "--version"], remove=True)
    assert out.startswith(b"redis-cli 7.")
