"""Removing lab containers and networks by label: works after a crash, with or without Ryuk."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import docker.errors
from docker.models.containers import Container
from docker.models.networks import Network

from msalab import engine, labels
from msalab.errors import StaleNetwork


@dataclass(frozen=True)
class Removed:
    containers: int
    networks: int


def remove(lab: str | None = None, session: str | None = None) -> Removed:
    """Force-remove every labelled container, then the networks; `lab=None` means every lab."""
    client = engine.client()
    flt = labels.filters(lab, session)
    containers = client.containers.list(all=True, filters=flt, sparse=True)  # no inspect: one may go meanwhile
    # Side by side: the engine stops each container on its own, and a lab of ten would otherwise wait ten times.
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(_remove_container, containers))
    except RuntimeError:  # at interpreter exit (atexit, finalizers) no new thread may start: one by one, then
        for container in containers:
            _remove_container(container)
    networks = client.networks.list(filters=flt)
    for n in networks:
        _remove_network(n)
    return Removed(len(containers), len(networks))


def _remove_network(network: Network) -> None:
    try:
        network.remove()
        return
    except docker.errors.NotFound:
        return
    except docker.errors.APIError as e:
        if "active endpoints" not in str(e):
            raise
    # Its containers are gone, yet the engine still counts endpoints of theirs on it (seen with Docker 20.10 when a
    # lab's containers are recreated under the same names). A forced disconnect by name often clears them.
    network.reload()
    for endpoint in (network.attrs.get("Containers") or {}).values():
        try:
            network.disconnect(endpoint.get("Name", ""), force=True)
        except docker.errors.APIError:
            pass
    try:
        network.remove()
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as e:
        if "active endpoints" not in str(e):
            raise
        raise StaleNetwork(
            f"The Docker engine still counts a removed container on the lab network {network.name}, so it cannot "
            "be removed: restart the Docker engine (`sudo systemctl restart docker` on most Linux machines), "
            "which clears it."
        ) from e


def _remove_container(container: Container) -> None:
    try:
        container.remove(force=True, v=True)
    except docker.errors.NotFound:
        pass  # a watchdog or another shell got there first
    except docker.errors.APIError as e:
        if e.status_code != 409:  # 409: its removal is already in progress (a watchdog got there first)
            raise


def start_watchdog(session: str, pid: int) -> subprocess.Popen[bytes]:
    """A detached process that removes the session's lab once `pid` (a notebook kernel) has died.

    Ryuk does the same on machines where it runs; this one works where Ryuk cannot start, and with both
    running the second to arrive simply finds nothing left.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "msalab.reaper", "--session", session, "--pid", str(pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # survives the kernel's process group being killed
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
