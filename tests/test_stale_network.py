"""A lab network the engine still thinks has endpoints (Docker 20.10, after a lab's containers were recreated under
the same names): cleanup disconnects the leftovers by force and removes it, or says in one sentence to restart the
engine. No Docker: a stand-in network answers as the engine did in CI."""

from __future__ import annotations

from typing import Any

import docker.errors
import pytest

from msalab import cleanup
from msalab.errors import StaleNetwork

ACTIVE = "error while removing network: network msalab-saga id 3f2a has active endpoints"


class StuckNetwork:
    name = "msalab-saga"

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.removed = False
        self.disconnected: list[str] = []
        self.attrs: dict[str, Any] = {}

    def reload(self) -> None:
        self.attrs = {"Containers": {"ep-1": {"Name": "msalab-saga-orders"}}}

    def disconnect(self, container: str, force: bool = False) -> None:
        assert force
        self.disconnected.append(container)

    def remove(self) -> None:
        if self.refusals:
            self.refusals -= 1
            raise docker.errors.APIError(ACTIVE, explanation=ACTIVE)
        self.removed = True


def test_a_network_that_goes_at_once_is_left_alone_after() -> None:
    network = StuckNetwork(refusals=0)
    cleanup._remove_network(network)  # type: ignore[arg-type]
    assert network.removed and network.disconnected == [] and network.attrs == {}


def test_a_stale_endpoint_is_disconnected_by_force_and_the_network_removed() -> None:
    network = StuckNetwork(refusals=1)
    cleanup._remove_network(network)  # type: ignore[arg-type]
    assert network.disconnected == ["msalab-saga-orders"] and network.removed


def test_an_endpoint_that_stays_says_to_restart_the_engine_in_one_sentence() -> None:
    network = StuckNetwork(refusals=2)
    with pytest.raises(StaleNetwork, match=r"lab network msalab-saga.*restart the Docker engine"):
        cleanup._remove_network(network)  # type: ignore[arg-type]


def test_any_other_refusal_is_not_taken_for_a_stale_endpoint() -> None:
    class Refusing(StuckNetwork):
        def remove(self) -> None:
            raise docker.errors.APIError("permission denied", explanation="permission denied")

    with pytest.raises(docker.errors.APIError, match="permission denied"):
        cleanup._remove_network(Refusing(refusals=0))  # type: ignore[arg-type]
