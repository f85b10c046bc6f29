"""`msalab doctor`: one line per thing that must be right, and what to do when it is not."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import docker.errors

from msalab import engine, images, labels
from msalab.errors import MsalabError
from msalab.reaper import alive
from msalab.topology import available_labs, load_lab


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str


def run_checks() -> list[Check]:
    checks = [python_version(), *socket_hints()]
    docker_check = docker_engine()
    checks.append(docker_check)
    if docker_check.ok:
        checks += lab_images()
        checks += run_options()
        checks.append(leftovers())
        checks.append(grading_sandbox())
    return checks


def grading_sandbox() -> Check:
    """Whether `msalab grade` can seal submissions off here (it never falls back to grading unsandboxed)."""
    from msalab.sandbox import SandboxLimits, SandboxRefused, preflight

    try:
        found = preflight(SandboxLimits())
        return Check(True, found[0].upper() + found[1:] + ".")
    except SandboxRefused as e:
        return Check(False, f"Sandboxed grading is not possible here: {e}")


def python_version() -> Check:
    v = sys.version_info
    if (v.major, v.minor) == (3, 11):
        return Check(True, f"Python {v.major}.{v.minor}.{v.micro}.")
    return Check(False, f"Python {v.major}.{v.minor} runs msalab, which is made for 3.11; use the README's set-up.")


def docker_engine() -> Check:
    try:
        version = engine.client().version().get("Version", "?")
    except MsalabError as e:
        return Check(False, str(e))
    return Check(True, f"Docker engine {version} answers{engine.describe_host()}.")


def socket_hints() -> list[Check]:
    """Machines where testcontainers needs to be told where the engine and its socket are."""
    home = Path.home()
    host = os.environ.get("DOCKER_HOST", "")
    hints: list[Check] = []
    if "podman" in host or (Path(f"/run/user/{os.getuid()}/podman/podman.sock").exists() and not host):
        hints.append(
            Check(
                "TESTCONTAINERS_RYUK_DISABLED" in os.environ,
                "Podman: set DOCKER_HOST to its socket and TESTCONTAINERS_RYUK_DISABLED=true "
                "(msalab cleans up by its own labels).",
            )
        )
    for sock in (home / ".colima/default/docker.sock", home / ".docker/run/docker.sock"):
        if sock.exists() and not host and not Path("/var/run/docker.sock").exists():
            hints.append(
                Check(
                    False,
                    f"Docker listens at {sock}: export DOCKER_HOST=unix://{sock} and "
                    "TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE=/var/run/docker.sock.",
                )
            )
    rootless = Path(f"/run/user/{os.getuid()}/docker.sock")
    if os.getuid() != 0 and rootless.exists() and not host:
        hints.append(Check(False, f"Rootless Docker: export DOCKER_HOST=unix://{rootless}."))
    return hints


def lab_images() -> list[Check]:
    keys = sorted({s.image for name in available_labs() for s in load_lab(name).services.values()})
    out = []
    for key in keys:
        ref = images.resolve(key, engine.image_present)
        if engine.image_present(ref):
            out.append(Check(True, f"Image for '{key}': {ref}."))
        elif images.needs_local_build(ref):
            out.append(
                Check(
                    False,
                    f"Image for '{key}' ({ref}) is not built: run `msalab images build` "
                    "(add --offline where no container registry is reachable).",
                )
            )
        else:
            out.append(
                Check(
                    False,
                    f"Image for '{key}' ({ref}) is not here: run `msalab images build` to pull "
                    "it, or `msalab images build --offline` with no registry.",
                )
            )
    return out


def leftovers() -> Check:
    """Labs whose notebook kernel died without its watchdog getting to them."""
    orphans = set()
    for c in engine.client().containers.list(all=True, filters=labels.filters()):
        pid = int(c.labels.get(labels.OWNER_PID, "0") or 0)
        if c.labels.get(labels.MODE) == "kernel" and pid and not alive(pid):
            orphans.add(c.labels[labels.LAB])
    if orphans:
        return Check(False, f"Left behind by a dead kernel: {', '.join(sorted(orphans))}; run `msalab down --all`.")
    return Check(True, "No lab left behind by a dead kernel.")


def run_options() -> list[Check]:
    """Whether the engine grants what labs ask for in their `run` tables (a Docker engine inside a container
    needs capabilities and security options that some engines refuse): one throw-away container per lab."""
    out = []
    for name in available_labs():
        asking = [s for s in load_lab(name).services.values() if s.run]
        if not asking:
            continue
        service = asking[0]
        ref = images.resolve(service.image, engine.image_present)
        if not engine.image_present(ref):
            continue  # lab_images() already says to build it
        try:
            engine.client().containers.run(
                ref, ["true"], entrypoint=[], remove=True, labels={labels.LAB: name}, **service.run.docker_kwargs()
            )
        except docker.errors.APIError as e:
            out.append(
                Check(
                    False,
                    f"Lab '{name}' needs run options this engine refuses ({e.explanation or e}): on Docker Desktop or "
                    "rootless Docker use a Linux machine or VM with a root engine for that lab.",
                )
            )
            continue
        out.append(Check(True, f"Lab '{name}': the engine grants its run options ({_describe(service.run)})."))
    return out


def _describe(run: object) -> str:
    kwargs = run.docker_kwargs()
    return ", ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in kwargs.items())
