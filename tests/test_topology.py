"""Reading lab.toml: what a lab author gets told when the topology is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from msalab.errors import TopologyError, UnknownLab
from msalab.topology import load_lab, parse_lab


def lab(raw: dict) -> object:
    return parse_lab("t", Path("."), raw)


def test_waves_follow_dependencies_and_group_independent_services() -> None:
    spec = parse_lab(
        "t",
        Path("."),
        {
            "services": {
                "db": {"image": "x"},
                "cache": {"image": "x"},
                "api": {"image": "x", "depends_on": ["db", "cache"]},
                "gateway": {"image": "x", "depends_on": ["api"]},
            }
        },
    )
    assert [[s.name for s in w] for w in spec.waves()] == [["cache", "db"], ["api"], ["gateway"]]


def test_a_cycle_is_rejected_at_load_time() -> None:
    with pytest.raises(TopologyError, match="dependency cycle among: a, b"):
        lab({"services": {"a": {"image": "x", "depends_on": ["b"]}, "b": {"image": "x", "depends_on": ["a"]}}})


def test_unknown_dependency_is_named() -> None:
    with pytest.raises(TopologyError, match="unknown service"):
        lab({"services": {"a": {"image": "x", "depends_on": ["nope"]}}})


def test_publish_and_readiness_forms() -> None:
    spec = parse_lab(
        "t",
        Path("."),
        {
            "services": {
                "mq": {
                    "image": "rabbitmq",
                    "publish": {"amqp": {"port": 5672, "url": "amqp://guest:guest@{host}:{port}/"}, "http": 15672},
                    "ready": {"log": "startup complete", "timeout": 30},
                }
            }
        },
    )
    mq = spec.services["mq"]
    assert [(p.name, p.port) for p in mq.publish] == [("amqp", 5672), ("http", 15672)]
    assert mq.publish[1].url == "http://{host}:{port}"
    assert (mq.ready.kind, mq.ready.pattern, mq.ready.timeout) == ("log", "startup complete", 30.0)
    assert mq.aliases == ("mq",)


@pytest.mark.parametrize(
    ("service", "message"),
    [
        ({}, "names no image"),
        ({"image": "x", "publish": {"http": "eighty"}}, "without a port number"),
        ({"image": "x", "ready": {"http": "/health"}}, "without a port"),
        ({"image": "x", "ready": {"sleep": 3}}, "without log, http or exec"),
        ({"image": "x", "source": "no/such/folder"}, "not a folder of the lab"),
    ],
)
def test_mistakes_get_one_clear_sentence(service: dict, message: str) -> None:
    with pytest.raises(TopologyError, match=message):
        lab({"services": {"svc": service}})


def test_unknown_lab_lists_the_real_ones() -> None:
    with pytest.raises(UnknownLab, match=r"no lab called 'nope'; the labs are: .*hello"):
        load_lab("nope")


def test_every_shipped_lab_loads() -> None:
    from msalab.topology import available_labs

    assert "hello" in available_labs()
    for name in available_labs():
        spec = load_lab(name)
        assert spec.services, name


def test_replicas_expand_into_named_members_sharing_the_group_alias() -> None:
    spec = parse_lab(
        "t",
        Path("."),
        {
            "services": {
                "broker": {"image": "x"},
                "worker": {"image": "x", "replicas": 3, "depends_on": ["broker"]},
                "monitor": {"image": "x", "depends_on": ["worker"]},
            }
        },
    )
    assert spec.members("worker") == ["worker-1", "worker-2", "worker-3"]
    assert spec.services["worker-2"].aliases == ("worker", "worker-2")
    assert spec.services["monitor"].depends_on == ("worker-1", "worker-2", "worker-3")
    assert [[s.name for s in w] for w in spec.waves()] == [
        ["broker"],
        ["worker-1", "worker-2", "worker-3"],
        ["monitor"],
    ]


def test_replicas_must_be_a_positive_whole_number() -> None:
    with pytest.raises(TopologyError, match="replicas = a whole number"):
        lab({"services": {"w": {"image": "x", "replicas": 0}}})


def test_network_mode_joins_another_services_namespace_and_waits_for_it() -> None:
    spec = parse_lab(
        "t",
        Path("."),
        {
            "services": {
                "app-sidecar": {"image": "x", "aliases": ["app"], "publish": {"http": 8080}},
                "app": {"image": "x", "network_mode": "service:app-sidecar"},
            }
        },
    )
    app = spec.services["app"]
    assert (app.netns_of, app.aliases, app.depends_on) == ("app-sidecar", (), ("app-sidecar",))
    assert spec.services["app-sidecar"].netns_of is None
    assert [[s.name for s in w] for w in spec.waves()] == [["app-sidecar"], ["app"]]


@pytest.mark.parametrize(
    ("services", "message"),
    [
        ({"a": {"image": "x", "network_mode": "host"}}, 'the only form is "service:<name>"'),
        ({"a": {"image": "x", "network_mode": "service:nope"}}, "not another single service"),
        ({"a": {"image": "x", "network_mode": "service:a"}}, "not another single service"),
        ({"a": {"image": "x"}, "b": {"image": "x", "network_mode": "service:a", "publish": {"h": 1}}}, "no publish"),
        ({"a": {"image": "x"}, "b": {"image": "x", "network_mode": "service:a", "aliases": ["b"]}}, "no aliases"),
        (
            {
                "a": {"image": "x"},
                "b": {"image": "x", "network_mode": "service:a"},
                "c": {"image": "x", "network_mode": "service:b"},
            },
            "itself joins another",
        ),
    ],
)
def test_network_mode_mistakes_are_named(services: dict, message: str) -> None:
    with pytest.raises(TopologyError, match=message):
        lab({"services": services})


def test_run_options_reach_the_docker_sdk_and_privileged_is_refused() -> None:
    spec = parse_lab(
        "t",
        Path("."),
        {
            "services": {
                "node": {
                    "image": "dind",
                    "load_images": ["swarm-app", "traefik"],
                    "run": {
                        "cap_add": ["ALL"],
                        "cap_drop": ["SYS_RESOURCE"],
                        "security_opt": ["seccomp=unconfined"],
                        "cgroupns": "private",
                    },
                },
                "plain": {"image": "x"},
            }
        },
    )
    node, plain = spec.services["node"], spec.services["plain"]
    assert node.load_images == ("swarm-app", "traefik")
    assert node.run.docker_kwargs() == {
        "cap_add": ["ALL"],
        "cap_drop": ["SYS_RESOURCE"],
        "security_opt": ["seccomp=unconfined"],
        "cgroupns": "private",
    }
    assert not plain.run and plain.run.docker_kwargs() == {} and plain.load_images == ()
    with pytest.raises(TopologyError, match="never grants"):
        lab({"services": {"a": {"image": "x", "run": {"privileged": True}}}})
    with pytest.raises(TopologyError, match="unknown run option"):
        lab({"services": {"a": {"image": "x", "run": {"devices": ["/dev/kvm"]}}}})
    with pytest.raises(TopologyError, match="cgroupns"):
        lab({"services": {"a": {"image": "x", "run": {"cgroupns": "shared"}}}})
    with pytest.raises(TopologyError, match="list of strings"):
        lab({"services": {"a": {"image": "x", "run": {"cap_add": "ALL"}}}})
    with pytest.raises(TopologyError, match="load_images"):
        lab({"services": {"a": {"image": "x", "load_images": "swarm-app"}}})
