"""A lab's topology: read from labs/<name>/lab.toml into plain, checked data.

A lab folder plugs in by holding a lab.toml; nothing else in the machinery names a lab.

    title = "Hello, microservices"

    [services.front]
    image = "python-service"            # a key of infra/images/images.toml
    source = "services/front"           # copied into the container (at /app) before it starts
    command = ["python", "-m", "uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]
    env = { BACK_URL = "http://back:8000" }
    aliases = ["front"]                  # names on the lab network; the service name by default
    depends_on = ["back"]                # started after these are ready
    publish = { http = 8000 }            # only these reach the host, on 127.0.0.1
    ready = { http = "/health", port = 8000, timeout = 60 }
    network_mode = "service:front-sidecar"  # share that service's network namespace (a sidecar, a pod):
                                         # no aliases or ports of its own, started after it is ready

    [services.node]
    image = "dind"
    load_images = ["swarm-app"]          # it runs a Docker engine: these images are loaded into it ("swarm-app:lab")
    [services.node.run]                  # what a Docker engine inside needs from the outer one (never privileged)
    cap_add = ["ALL"]
    security_opt = ["seccomp=unconfined"]
    cgroupns = "private"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from msalab.errors import TopologyError, UnknownLab
from msalab.paths import labs_dir

DEFAULT_READY_TIMEOUT = 90.0
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Readiness:
    """When a container counts as ready: a log line, an HTTP answer (through its published port when it has one,
    else from inside it), or a command's success."""

    kind: str  # "log" | "http" | "exec" | "started"
    pattern: str = ""
    port: int = 0
    path: str = "/"
    command: tuple[str, ...] = ()
    timeout: float = DEFAULT_READY_TIMEOUT


@dataclass(frozen=True)
class Published:
    """A container port that reaches the host; `url` is a template with {host} and {port}."""

    name: str
    port: int
    url: str


# The run options a lab may ask for, and nothing more: enough for a Docker engine inside a container (an
# orchestrator's node), never `privileged`, which hands the whole host over and which many engines refuse.
RUN_OPTIONS = ("cap_add", "cap_drop", "security_opt", "cgroupns")
CGROUPNS_MODES = ("private", "host")


@dataclass(frozen=True)
class RunOptions:
    """Extra `docker run` options of one service: capabilities, security options, its cgroup namespace."""

    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    cgroupns: str | None = None

    def docker_kwargs(self) -> dict[str, object]:
        """The docker SDK's `containers.run` keyword arguments for these options (none when unset)."""
        out: dict[str, object] = {}
        if self.cap_add:
            out["cap_add"] = list(self.cap_add)
        if self.cap_drop:
            out["cap_drop"] = list(self.cap_drop)
        if self.security_opt:
            out["security_opt"] = list(self.security_opt)
        if self.cgroupns:
            out["cgroupns"] = self.cgroupns
        return out

    def __bool__(self) -> bool:
        return bool(self.docker_kwargs())


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    image: str
    command: tuple[str, ...] | None = None
    env: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    aliases: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    publish: tuple[Published, ...] = ()
    ready: Readiness = Readiness(kind="started")
    source: Path | None = None
    mem_limit: str | None = None
    group: str = ""  # the declared name; replicas "worker-1", "worker-2" share the group "worker"
    # Another service whose network namespace this one joins (network_mode = "service:<name>"), as a pod's
    # containers share one: same IP, same 127.0.0.1, reachable only through the other's aliases and ports.
    netns_of: str | None = None
    run: RunOptions = RunOptions()
    # Keys of images.toml loaded into the Docker engine this service runs, once it answers, before readiness
    # is waited for; inside, each is also tagged "<key>:lab", whichever family (official, offline) it came from.
    load_images: tuple[str, ...] = ()
    # A command run inside the running container that brings it back to its freshly started state (purge
    # queues, restore tables): how a grader reuses a warm lab; a service without one is recreated instead.
    reset: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabSpec:
    name: str
    title: str
    path: Path
    services: MappingProxyType[str, ServiceSpec]
    extra: MappingProxyType[str, Any]  # other tables of lab.toml (exercises, ...) for other modules

    def members(self, group: str) -> list[str]:
        """The services a declared name stands for: itself, or its replicas."""
        return sorted(s.name for s in self.services.values() if s.group == group)

    def waves(self) -> list[list[ServiceSpec]]:
        """Services grouped so that each group needs only earlier ones; a group starts in parallel."""
        remaining = dict(self.services)
        done: set[str] = set()
        waves: list[list[ServiceSpec]] = []
        while remaining:
            wave = [s for s in remaining.values() if set(s.depends_on) <= done]
            if not wave:
                cycle = ", ".join(sorted(remaining))
                raise TopologyError(f"Lab '{self.name}' has a dependency cycle among: {cycle}; fix depends_on.")
            waves.append(sorted(wave, key=lambda s: s.name))
            for s in wave:
                done.add(s.name)
                del remaining[s.name]
        return waves


def available_labs() -> list[str]:
    root = labs_dir()
    return sorted(p.parent.name for p in root.glob("*/lab.toml")) if root.is_dir() else []


def load_lab(name: str) -> LabSpec:
    path = labs_dir() / name / "lab.toml"
    if not path.is_file():
        known = ", ".join(available_labs()) or "none"
        raise UnknownLab(f"There is no lab called '{name}'; the labs are: {known}.")
    try:
        with path.open("rb") as f:
            raw = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise TopologyError(f"{path} is not valid TOML ({e}); fix the file and try again.") from None
    return parse_lab(name, path.parent, raw)


def parse_lab(name: str, folder: Path, raw: dict[str, Any]) -> LabSpec:
    services_raw = raw.get("services")
    if not isinstance(services_raw, dict) or not services_raw:
        raise TopologyError(f"Lab '{name}' declares no [services.*] tables in its lab.toml.")
    services: dict[str, ServiceSpec] = {}
    for sname, sraw in services_raw.items():
        count = sraw.get("replicas", 1)
        if not isinstance(count, int) or count < 1:
            raise TopologyError(f"Service '{sname}' of lab '{name}' needs replicas = a whole number from 1.")
        for replica in _replicate(_parse_service(name, folder, sname, sraw), count):
            services[replica.name] = replica
    members: dict[str, list[str]] = {}
    for svc in services.values():
        members.setdefault(svc.group, []).append(svc.name)
    for key, svc in list(services.items()):
        unknown = [d for d in svc.depends_on if d not in members and d not in services]
        if unknown:
            raise TopologyError(
                f"Service '{svc.name}' of lab '{name}' depends on unknown service(s) {', '.join(unknown)}."
            )
        expanded = tuple(m for d in svc.depends_on for m in members.get(d, [d]))
        if svc.netns_of is not None:
            if svc.netns_of not in services or svc.netns_of == svc.name:
                raise TopologyError(
                    f"Service '{svc.name}' of lab '{name}' has network_mode = \"service:{svc.netns_of}\", "
                    "which is not another single service of the lab."
                )
            if services[svc.netns_of].netns_of is not None:
                raise TopologyError(
                    f"Service '{svc.name}' of lab '{name}' joins '{svc.netns_of}', which itself joins another "
                    "service; join the one that owns the network namespace."
                )
            # Its namespace must exist first: the joined service is always a dependency.
            expanded = tuple(dict.fromkeys((*expanded, svc.netns_of)))
        services[key] = replace(svc, depends_on=expanded)
    extra = {k: v for k, v in raw.items() if k not in ("services", "title")}
    spec = LabSpec(
        name=name,
        title=str(raw.get("title", name)),
        path=folder,
        services=MappingProxyType(services),
        extra=MappingProxyType(extra),
    )
    spec.waves()  # reject cycles at load time, not half-way through a start
    return spec


def _parse_service(lab: str, folder: Path, name: str, raw: dict[str, Any]) -> ServiceSpec:
    where = f"service '{name}' of lab '{lab}'"
    if not _NAME.match(name):
        raise TopologyError(f"The {where} needs a lower-case name of letters, digits and '-'.")
    if "image" not in raw:
        raise TopologyError(f'The {where} names no image; add image = "<key of images.toml>".')
    source = None
    if "source" in raw:
        source = (folder / raw["source"]).resolve()
        if not source.is_dir():
            raise TopologyError(f"The {where} has source = '{raw['source']}', which is not a folder of the lab.")
    command = raw.get("command")
    if isinstance(command, str):
        command = command.split()
    netns_of = _parse_network_mode(where, raw)
    return ServiceSpec(
        name=name,
        image=str(raw["image"]),
        command=tuple(command) if command else None,
        env=MappingProxyType({str(k): str(v) for k, v in raw.get("env", {}).items()}),
        aliases=() if netns_of else tuple(raw.get("aliases", [name])),
        depends_on=tuple(raw.get("depends_on", [])),
        publish=tuple(_parse_publish(where, raw.get("publish", {}))),
        ready=_parse_ready(where, raw.get("ready")),
        source=source,
        mem_limit=raw.get("mem_limit"),
        group=name,
        netns_of=netns_of,
        run=_parse_run(where, raw.get("run", {})),
        load_images=_parse_load_images(where, raw.get("load_images", [])),
        reset=_parse_reset(where, raw.get("reset")),
    )


def _parse_reset(where: str, raw: object) -> tuple[str, ...]:
    """`reset = "shell command"` or `reset = ["argv", ...]`."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        return ("sh", "-c", raw)
    if isinstance(raw, list) and raw and all(isinstance(a, str) for a in raw):
        return tuple(raw)
    raise TopologyError(f"The {where} has a reset that is neither a shell command nor a list of arguments.")


def _parse_run(where: str, raw: object) -> RunOptions:
    if not isinstance(raw, dict):
        raise TopologyError(f"The {where} has run = {raw!r}; make it a table such as [services.<name>.run].")
    if raw.get("privileged"):
        raise TopologyError(
            f"The {where} asks for privileged, which msalab never grants (it hands the host over, and many "
            "engines refuse it); ask for the capabilities and security options it needs instead."
        )
    unknown = sorted(set(raw) - set(RUN_OPTIONS))
    if unknown:
        raise TopologyError(
            f"The {where} has unknown run option(s) {', '.join(unknown)}; known: {', '.join(RUN_OPTIONS)}."
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("cap_add", "cap_drop", "security_opt"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise TopologyError(f"The {where} has run.{key} = {value!r}; make it a list of strings.")
        lists[key] = tuple(value)
    cgroupns = raw.get("cgroupns")
    if cgroupns is not None and cgroupns not in CGROUPNS_MODES:
        raise TopologyError(f"The {where} has run.cgroupns = {cgroupns!r}; use one of {', '.join(CGROUPNS_MODES)}.")
    return RunOptions(lists["cap_add"], lists["cap_drop"], lists["security_opt"], cgroupns)


def _parse_load_images(where: str, raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(k, str) and _NAME.match(k) for k in raw):
        raise TopologyError(f"The {where} has load_images = {raw!r}; make it a list of keys of images.toml.")
    return tuple(raw)


def _parse_network_mode(where: str, raw: dict[str, Any]) -> str | None:
    mode = raw.get("network_mode")
    if mode is None:
        return None
    if not isinstance(mode, str) or not mode.startswith("service:") or not _NAME.match(mode[len("service:") :]):
        raise TopologyError(f'The {where} has network_mode = {mode!r}; the only form is "service:<name>".')
    for key in ("aliases", "publish"):
        if raw.get(key):
            raise TopologyError(
                f"The {where} shares the network namespace of another service, so it can have no {key} of its "
                f"own; declare them on '{mode[len('service:') :]}'."
            )
    if raw.get("replicas", 1) != 1:
        raise TopologyError(f"The {where} shares another service's network namespace and cannot have replicas.")
    return mode[len("service:") :]


def _replicate(spec: ServiceSpec, count: int) -> list[ServiceSpec]:
    """`replicas = 3` makes worker-1..worker-3: each reachable by its own name, all by the group's alias,
    which Docker's DNS answers with every replica (how competing consumers or a simple round robin look)."""
    if count == 1:
        return [spec]
    return [
        replace(spec, name=f"{spec.name}-{i}", aliases=(*spec.aliases, f"{spec.name}-{i}")) for i in range(1, count + 1)
    ]


def _parse_publish(where: str, raw: dict[str, Any]) -> list[Published]:
    out = []
    for pname, value in raw.items():
        if isinstance(value, int):
            out.append(Published(pname, value, _default_url(pname)))
        elif isinstance(value, dict) and isinstance(value.get("port"), int):
            out.append(Published(pname, value["port"], str(value.get("url", _default_url(pname)))))
        else:
            raise TopologyError(f"The {where} publishes '{pname}' without a port number.")
    return out


def _default_url(name: str) -> str:
    return f"{name}://{{host}}:{{port}}"


def _parse_ready(where: str, raw: dict[str, Any] | None) -> Readiness:
    if raw is None:
        return Readiness(kind="started")
    timeout = float(raw.get("timeout", DEFAULT_READY_TIMEOUT))
    if "log" in raw:
        return Readiness(kind="log", pattern=str(raw["log"]), timeout=timeout)
    if "http" in raw:
        if "port" not in raw:
            raise TopologyError(f"The {where} has an http readiness check without a port.")
        return Readiness(kind="http", path=str(raw["http"]), port=int(raw["port"]), timeout=timeout)
    if "exec" in raw:
        return Readiness(kind="exec", command=tuple(raw["exec"]), timeout=timeout)
    raise TopologyError(f"The {where} has a ready table without log, http or exec.")
