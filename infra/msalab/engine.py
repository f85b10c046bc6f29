"""The Docker engine: one client for the process, and the testcontainers settings this course needs."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import docker
import docker.errors

from msalab.errors import DockerUnavailable

NO_ENGINE = (
    "No Docker engine answers{where}; start one (Docker Desktop, or `sudo systemctl start docker` on Linux) "
    "and run `msalab doctor` to check."
)


def configure_testcontainers() -> None:
    """Settings testcontainers reads from the environment, set before it is first used.

    - Inside a container (a devcontainer, or this CI machine with /.dockerenv), testcontainers would talk to
      lab containers through the bridge gateway; the course publishes ports on 127.0.0.1 only, so it must use
      the published port on the docker host instead.
    - Ryuk cannot start where no registry is reachable; msalab cleans up by its own labels in any case
      (see cleanup.py), so Ryuk is optional: on where its image is present, off otherwise.
    """
    os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
    if "TESTCONTAINERS_RYUK_DISABLED" not in os.environ:
        from testcontainers.core.config import testcontainers_config

        try:
            have_ryuk = image_present(testcontainers_config.ryuk_image)
        except DockerUnavailable:
            have_ryuk = False
        os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "false" if have_ryuk else "true"
        testcontainers_config.ryuk_disabled = not have_ryuk


def describe_host() -> str:
    host = os.environ.get("DOCKER_HOST")
    if host:
        return f" at DOCKER_HOST={host}"
    if Path("/var/run/docker.sock").exists():
        return " at /var/run/docker.sock"
    return ""


@cache
def client() -> docker.DockerClient:
    try:
        c = docker.from_env(timeout=120)
        c.ping()
    except Exception:
        raise DockerUnavailable(NO_ENGINE.format(where=describe_host())) from None
    return c


def ping() -> bool:
    try:
        client().ping()
        return True
    except Exception:
        return False


def image_present(ref: str) -> bool:
    try:
        client().images.get(ref)
        return True
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.APIError:
        return False
