"""Starting a lab: images, a private network, containers in dependency waves, readiness, labels."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import docker.errors
from testcontainers.core.config import testcontainers_config
from testcontainers.core.container import DockerContainer
from testcontainers.core.network import Network

from msalab import cleanup, engine, images, innerengine, labels, ports, readiness
from msalab.errors import ImageMissing, MsalabError
from msalab.lab import Lab
from msalab.progressbar import Progress, make_progress
from msalab.topology import LabSpec, ServiceSpec, load_lab

SOURCE_ROOT = "/srv"  # a service's source folder lands at /srv/<folder> and is its working directory


@dataclass(frozen=True)
class Plan:
    """Everything decided before the first container exists, so a bad choice fails before anything runs."""

    spec: LabSpec
    session: str
    mode: str
    image_refs: Mapping[str, str]
    # service -> port name -> host port; one taken by another process before Docker binds it moves (_start_container)
    host_ports: dict[str, dict[str, int]]
    loaded_refs: Mapping[str, str]  # image key -> reference, for images loaded into a service's own engine
    fixed_ports: frozenset[str] = frozenset()  # "service.port" the caller asked for: never moved

    @property
    def network_name(self) -> str:
        return f"msalab-{self.spec.name}-{self.session}"

    def container_name(self, service: str) -> str:
        return f"msalab-{self.spec.name}-{service}-{self.session}"

    def endpoints(self, service: ServiceSpec) -> dict[str, dict[str, object]]:
        return {
            p.name: {
                "port": self.host_ports[service.name][p.name],
                "url": p.url.format(host=ports.HOST, port=self.host_ports[service.name][p.name]),
            }
            for p in service.publish
        }

    def labels_for(self, service: str | None = None) -> dict[str, str]:
        out = {
            labels.LAB: self.spec.name,
            labels.SESSION: self.session,
            labels.MODE: self.mode,
            labels.OWNER_PID: str(os.getpid()),
            labels.TITLE: self.spec.title,
        }
        ns = labels.namespace()
        if ns is not None:
            out[labels.NAMESPACE] = ns
        if service is not None:
            out[labels.SERVICE] = service
            out[labels.ENDPOINTS] = json.dumps(self.endpoints(self.spec.services[service]))
        return out


def up(
    name: str,
    *,
    mode: str = "kernel",
    port_overrides: Mapping[str, int] | None = None,
    quiet: bool = False,
) -> Lab:
    """Start lab `name` and return its handle once every container is ready.

    mode "kernel": the lab goes when this Python process goes (a watchdog and Ryuk, where it runs, see to
    that even after a crash). mode "shell": the lab stays up until `msalab down`.
    port_overrides: "service.port_name" -> fixed host port, for a workshop that hands out fixed URLs.
    """
    engine.client()  # no engine: say so before anything else is shown or decided
    engine.configure_testcontainers()
    if mode == "shell":
        # Ryuk would remove the lab ~10 s after the `msalab up` command exits.
        testcontainers_config.ryuk_disabled = True
    spec = load_lab(name)
    plan = _plan(spec, mode, port_overrides or {})
    progress = make_progress(f"lab {name}", total=len(spec.services), quiet=quiet)
    watchdog = cleanup.start_watchdog(plan.session, os.getpid()) if mode == "kernel" else None
    try:
        _ensure_images(plan, progress)
        _start_all(plan, progress)
    except BaseException as exc:
        progress.close()
        cleanup.remove(session=plan.session)
        _end(watchdog)
        if isinstance(exc, KeyboardInterrupt):
            raise MsalabError(f"Starting lab '{name}' was interrupted; nothing of it is left running.") from None
        if isinstance(exc, docker.errors.APIError):
            raise MsalabError(
                f"Docker refused to start lab '{name}' ({exc.explanation or exc}); nothing of it is left running."
            ) from None
        raise
    progress.close()
    _plans[plan.session] = plan
    lab = Lab.from_engine(spec.name, plan.session)
    if mode == "kernel":
        _tie_to_process(lab, watchdog)
    return lab


# session -> the plan it was started from, for labs this process started: what reset() recreates from.
_plans: dict[str, Plan] = {}


def reset(lab: Lab, quiet: bool = True) -> float:
    """Bring a lab this process started back to how a fresh start leaves it; returns the seconds it took.

    A service with a reset command (its lab.toml's `reset`, else its image's in images.toml: restore the tables)
    runs it and is restarted, much faster than a new container; every other service gets a new container from the
    same plan (same name, aliases and host ports), so nothing an answer did inside it survives. The network stays.
    """
    plan = _plans.get(lab.session)
    if plan is None:
        raise MsalabError(f"Lab '{lab.name}' was not started by this process, so it cannot be reset here.")
    started = time.monotonic()
    client = engine.client()
    # Containers to recreate go first, so that none still holds a connection to a service being reset.
    commands = {s.name: _reset_command(s) for s in plan.spec.services.values()}
    renew = {
        s.name
        for s in plan.spec.services.values()
        if not commands[s.name] or (s.netns_of is not None and not commands[s.netns_of])
    }
    for name in renew:
        try:
            client.containers.get(plan.container_name(name)).remove(force=True, v=True)  # v: anonymous volumes too
        except docker.errors.NotFound:
            pass
    network = Network()
    network.name = plan.network_name  # the lab's existing network: recreated containers join it
    progress = make_progress(f"resetting lab {lab.name}", total=len(plan.spec.services), quiet=quiet)
    cancel = threading.Event()
    try:
        for wave in plan.spec.waves():
            with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="msalab-reset") as pool:
                futures = [
                    pool.submit(
                        _reset_one, plan, s, commands[s.name] if s.name not in renew else (), network, progress, cancel
                    )
                    for s in wave
                ]
                try:
                    for f in futures:
                        f.result()
                except BaseException:
                    cancel.set()
                    raise
    finally:
        progress.close()
        lab.refresh()
    return time.monotonic() - started


def _reset_command(s: ServiceSpec) -> tuple[str, ...]:
    """The service's own reset, else its image's; () means recreate it."""
    if s.reset:
        return s.reset
    of_image = images.spec(s.image).reset
    return ("sh", "-c", of_image) if of_image else ()


def _reset_one(
    plan: Plan, s: ServiceSpec, command: tuple[str, ...], network: Network, progress: Progress, cancel: threading.Event
) -> None:
    if command:
        try:
            container = engine.client().containers.get(plan.container_name(s.name))
        except docker.errors.NotFound:
            container = None
        if container is not None and container.status in ("running", "paused"):  # a stopped one starts anew
            if container.status == "paused":
                container.unpause()
            if container.exec_run(list(command)).exit_code == 0:
                container.restart(timeout=5)  # a new server process: nothing set at run time survives
                what = f"Service '{s.name}' of lab '{plan.spec.name}'"
                readiness.wait_ready(container, s.ready, what, cancel=cancel)
                progress.done(s.name, 0.0)
                return
        if container is not None:
            container.remove(force=True, v=True)  # not running, or its reset failed: a new one, then
    _start_one(plan, s, network, progress, cancel)


def _plan(spec: LabSpec, mode: str, port_overrides: Mapping[str, int]) -> Plan:
    unknown = set(port_overrides) - {f"{s.name}.{p.name}" for s in spec.services.values() for p in s.publish}
    if unknown:
        raise MsalabError(
            f"Lab '{spec.name}' publishes no port called {', '.join(sorted(unknown))}; "
            "name ports as service.port (see `msalab list`)."
        )
    host_ports: dict[str, dict[str, int]] = {}
    for s in spec.services.values():
        host_ports[s.name] = {}
        for p in s.publish:
            key = f"{s.name}.{p.name}"
            if key in port_overrides:
                ports.ensure_free(port_overrides[key], f"{key} of lab '{spec.name}'")
                host_ports[s.name][p.name] = port_overrides[key]
            else:
                host_ports[s.name][p.name] = ports.free_port()
    refs = {s.name: images.resolve(s.image, engine.image_present) for s in spec.services.values()}
    loaded = {k: images.resolve(k, engine.image_present) for s in spec.services.values() for k in s.load_images}
    return Plan(spec, uuid.uuid4().hex[:8], mode, refs, host_ports, loaded, frozenset(port_overrides))


def _ensure_images(plan: Plan, progress: Progress) -> None:
    client = engine.client()
    for ref in sorted({*plan.image_refs.values(), *plan.loaded_refs.values()}):
        if engine.image_present(ref):
            continue
        if images.needs_local_build(ref):
            raise ImageMissing(
                f"The image {ref} is not built yet; run `msalab images build` "
                "(add --offline on a machine with no container registry) and start the lab again."
            )
        progress.note(f"pulling {ref}")
        try:
            client.images.pull(ref)
        except docker.errors.APIError:
            raise ImageMissing(
                f"The image {ref} is not here and could not be pulled; connect to the internet, or build the "
                "offline equivalents with `msalab images build --offline`, then start the lab again."
            ) from None


def _start_all(plan: Plan, progress: Progress) -> None:
    network = Network(docker_network_kw={"labels": plan.labels_for()})
    network.name = plan.network_name
    network.create()
    cancel = threading.Event()
    for wave in plan.spec.waves():
        with ThreadPoolExecutor(max_workers=len(wave), thread_name_prefix="msalab-start") as pool:
            futures: list[Future[None]] = [pool.submit(_start_one, plan, s, network, progress, cancel) for s in wave]
            try:
                # Short waits, not one long one: the kernel may hand Ctrl-C to a worker thread, and the main
                # thread runs Python's signal handler only when it wakes up.
                pending: set[Future[None]] = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
                    for f in done:
                        f.result()
            except BaseException:
                cancel.set()  # the others stop waiting at their next poll, so cleanup is not raced
                raise


def _start_one(plan: Plan, s: ServiceSpec, network: Network, progress: Progress, cancel: threading.Event) -> None:
    if cancel.is_set():
        return
    started = time.monotonic()
    c = DockerContainer(plan.image_refs[s.name], name=plan.container_name(s.name), env=dict(s.env))
    kwargs: dict[str, object] = {"labels": plan.labels_for(s.name)}
    if s.netns_of is not None:
        # A sidecar's partner (or the sidecar): one network namespace, whose owner is on the lab network.
        kwargs["network_mode"] = f"container:{plan.container_name(s.netns_of)}"
    else:
        c.with_network(network).with_network_aliases(*s.aliases)
    if s.command:
        c.with_command(list(s.command))
    for p in s.publish:
        # (host ip, host port): the docker SDK's form for binding to loopback only
        c.ports[f"{p.port}/tcp"] = (ports.HOST, plan.host_ports[s.name][p.name])  # type: ignore[assignment]
    if s.source is not None:
        c.with_copy_into_container(s.source, SOURCE_ROOT)
        kwargs["working_dir"] = f"{SOURCE_ROOT}/{s.source.name}"
    if s.mem_limit:
        kwargs["mem_limit"] = s.mem_limit
    kwargs.update(s.run.docker_kwargs())
    c.with_kwargs(**kwargs)  # once: with_kwargs replaces rather than merges
    progress.note(f"starting {s.name}")
    _start_container(plan, s, c, kwargs)
    what = f"Service '{s.name}' of lab '{plan.spec.name}'"
    if s.load_images:
        progress.note(f"loading {', '.join(s.load_images)} into {s.name}")
        inner = {k: plan.loaded_refs[k] for k in s.load_images}
        innerengine.load(c.get_wrapped_container(), inner, what, s.ready.timeout)
    try:
        readiness.wait_ready(c.get_wrapped_container(), s.ready, what, cancel=cancel)
    except readiness.Cancelled:
        return
    progress.done(s.name, time.monotonic() - started)


# A planned host port is free when chosen but not held until Docker binds it: another process (a second grading
# worker, a parallel test) may take it first. Docker then refuses with one of these.
_PORT_TAKEN = ("port is already allocated", "address already in use")


def _start_container(
    plan: Plan, s: ServiceSpec, c: DockerContainer, kwargs: dict[str, object], attempts: int = 4
) -> None:
    """Start c; when a planned host port was taken meanwhile, move the service's ports to free ones and retry."""
    for attempt in range(attempts):
        try:
            c.start()
            return
        except docker.errors.APIError as e:
            said = str(e.explanation or e)
            movable = [p for p in s.publish if f"{s.name}.{p.name}" not in plan.fixed_ports]
            if attempt == attempts - 1 or not movable or not any(t in said for t in _PORT_TAKEN):
                raise
        try:  # created but not started: its name must be free for the next try
            engine.client().containers.get(plan.container_name(s.name)).remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        mine = plan.host_ports[s.name]
        for p in movable:
            mine[p.name] = ports.free_port()
            c.ports[f"{p.port}/tcp"] = (ports.HOST, mine[p.name])  # type: ignore[assignment]
        # The endpoints label names the host ports: Lab.from_engine reads them from there.
        kwargs["labels"] = plan.labels_for(s.name)
        c.with_kwargs(**kwargs)


def _tie_to_process(lab: Lab, watchdog: object) -> None:
    """Tear the lab down when the handle is collected or the interpreter exits normally."""
    lab._finalizer = weakref.finalize(lab, _down_quietly, lab.name, lab.session, watchdog)


def _down_quietly(name: str, session: str, watchdog: object) -> None:
    try:
        cleanup.remove(name, session)
    except MsalabError:
        pass  # the engine went away first: nothing of ours can still run there
    _end(watchdog)


def _end(watchdog: object) -> None:
    if isinstance(watchdog, subprocess.Popen):
        watchdog.terminate()
        try:
            watchdog.wait(timeout=5)
        except subprocess.TimeoutExpired:
            watchdog.kill()
