"""The grading sandbox: every piece of a submission's code runs in a container made for that submission.

What a sandbox has: the course's Python image; a read-only copy of the student release (`msalab release`) at
/course; its own lab's network and no other; memory, process and CPU limits; an unprivileged user with no
capabilities. What it lacks: the Docker socket, `solutions/`, the hidden checks, the grader's files and outputs.
Lab actions reach the grader through the narrow channel of channel.py. When the sandbox goes, every process
the submission started goes with it.

Two kinds, one per submission at a time:
- the notebook sandbox executes the graded notebook (kernel and all) and reports the problems it met;
- the answer box is where checks call a module answer (`ctx.run_answer`) or run other learner code.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker.errors
import nbformat
from docker.models.containers import Container

from msalab import engine, images, labels
from msalab.channel import SOCKET_NAME, ChannelServer
from msalab.errors import MsalabError
from msalab.lab import Lab
from msalab.paths import course_root
from msalab.remote import CHANNEL_ENV

IMAGE_KEY = "python-service"  # the course's Python image: every lab service's dependencies and a kernel
ROLE = "msalab.role"
LEARNER_UID = 1000
HOME = "/home/learner"
COURSE = "/course"
ANSWERS = "/answers"
CHANNEL = "/run/msalab"
RUN_MARKER = "@@msalab-run@@"
GRACE = 60.0  # beyond the notebook's own limit, before the grader kills the sandbox
MAX_PROBLEMS, MAX_PROBLEM_CHARS = 40, 400


@dataclass(frozen=True)
class SandboxLimits:
    memory: str = "2g"
    pids: int = 512
    cpus: float = 1.0

    def describe(self) -> str:
        return f"{self.memory} of memory, {self.pids} processes, {self.cpus:g} CPU"


class SandboxRefused(MsalabError):
    """The engine will not make a sandbox with these options; grading unsandboxed is never the fallback."""


def _environment() -> dict[str, str]:
    return {
        "HOME": HOME,
        "PYTHONPATH": f"{COURSE}/infra",  # the release's msalab, not anything of the grading machine
        "MSALAB_HOME": COURSE,
        "MPLCONFIGDIR": f"{HOME}/.matplotlib",
        "JUPYTER_RUNTIME_DIR": f"{HOME}/.jupyter-runtime",
        "PYTHONDONTWRITEBYTECODE": "1",  # /course is read-only
    }


def _home_archive(files: dict[str, bytes] | None = None) -> bytes:
    """A tar of the learner's home folder (owned by the learner) and any files to put in it."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        home = tarfile.TarInfo("learner")
        home.type, home.mode, home.uid, home.gid, home.mtime = tarfile.DIRTYPE, 0o755, LEARNER_UID, LEARNER_UID, 0
        tar.addfile(home)
        for name, data in (files or {}).items():
            info = tarfile.TarInfo(f"learner/{name}")
            info.size, info.mode, info.uid, info.gid = len(data), 0o644, LEARNER_UID, LEARNER_UID
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def create(
    lab: Lab,
    release: Path,
    kind: str,
    command: list[str],
    limits: SandboxLimits,
    env: dict[str, str] | None = None,
    mounts: dict[Path, str] | None = None,
    files: dict[str, bytes] | None = None,
) -> Container:
    """A sandbox container for `lab`'s submission, created (not started), its home folder in place."""
    client = engine.client()
    volumes = {str(release): {"bind": COURSE, "mode": "ro"}}
    volumes |= {str(host): {"bind": inside, "mode": "ro"} for host, inside in (mounts or {}).items()}
    sandbox_labels = {labels.LAB: lab.name, labels.SESSION: lab.session, ROLE: kind}
    if labels.namespace() is not None:
        sandbox_labels[labels.NAMESPACE] = str(labels.namespace())
    try:
        container = client.containers.create(
            images.resolve(IMAGE_KEY, engine.image_present),
            command,
            name=f"msalab-{lab.name}-{kind}-{lab.session}-{uuid.uuid4().hex[:4]}",
            labels=sandbox_labels,
            network=lab.network,  # its own lab's network, and no other
            working_dir=HOME,
            environment={**_environment(), **(env or {})},
            volumes=volumes,
            **_options(limits),
        )
    except docker.errors.APIError as e:
        raise SandboxRefused(
            f"The Docker engine refused to make a grading sandbox ({e.explanation or e}); grading stops rather "
            "than run submissions unsandboxed (run `msalab doctor`)."
        ) from None
    try:
        container.put_archive("/home", _home_archive(files))
    except Exception:
        container.remove(force=True)
        raise
    return container


def _options(limits: SandboxLimits) -> dict[str, Any]:
    return {
        "user": f"{LEARNER_UID}:{LEARNER_UID}",
        "mem_limit": limits.memory,
        "memswap_limit": limits.memory,  # no swap beyond the limit
        "pids_limit": limits.pids,
        "nano_cpus": int(limits.cpus * 1e9),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "init": True,  # a real init reaps what the submission orphans, so dead processes free their pids
    }


def preflight(limits: SandboxLimits) -> str:
    """Make one throw-away sandbox (no network at all) and run the kernel's imports in it; raises
    SandboxRefused with what to do when that fails. Returns what a sandbox gets, for `msalab doctor`."""
    client = engine.client()
    image = images.resolve(IMAGE_KEY, engine.image_present)
    if not engine.image_present(image):
        raise SandboxRefused(f"The course's Python image {image} is not built yet; run `msalab images build`.")
    probe = "import ipykernel, nbclient, matplotlib, msalab"
    try:
        client.containers.run(
            image,
            ["python3", "-c", probe],
            remove=True,
            network_mode="none",
            environment={"PYTHONPATH": str(course_root() / "infra"), "HOME": "/tmp"},
            volumes={str(course_root() / "infra"): {"bind": str(course_root() / "infra"), "mode": "ro"}},
            **_options(limits),
        )
    except docker.errors.ContainerError as e:
        tail = (e.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise SandboxRefused(
            f"The course's Python image {image} cannot run a notebook kernel ({tail[0]}); rebuild it with "
            "`msalab images build`."
        ) from None
    except docker.errors.APIError as e:
        raise SandboxRefused(
            f"The Docker engine refused to make a grading sandbox ({e.explanation or e}); grading stops rather "
            "than run submissions unsandboxed."
        ) from None
    return f"sandboxed grading works here: {limits.describe()}, no Docker socket, no capabilities"


# ---- the notebook sandbox -----------------------------------------------------------------------------------
def run_notebook(
    nb: nbformat.NotebookNode,
    lab: Lab,
    release: Path,
    work: Path,
    cell_timeout: float,
    notebook_timeout: float,
    limits: SandboxLimits,
) -> list[str]:
    """Execute `nb` in a sandbox against `lab`; returns the problems met, in plain words."""
    channel_dir = work / "channel"
    with ChannelServer(lab, channel_dir):
        command = [
            "python3",
            "-m",
            "msalab.sandboxrun",
            f"{HOME}/graded.ipynb",
            "--cell-timeout",
            str(cell_timeout),
            "--notebook-timeout",
            str(notebook_timeout),
        ]
        env = {CHANNEL_ENV: f"{CHANNEL}/{SOCKET_NAME}", "MSALAB_ANSWERS": f"{HOME}/kernel-answers"}
        files = {"graded.ipynb": nbformat.writes(nb).encode()}
        container = create(lab, release, "sandbox", command, limits, env, {channel_dir: CHANNEL}, files)
        try:
            container.start()
            return _await_run(container, notebook_timeout + GRACE, limits)
        finally:
            _remove(container)


def _await_run(container: Container, limit: float, limits: SandboxLimits) -> list[str]:
    problems: list[str] = []
    deadline = time.monotonic() + limit
    pids = _PidsWatch(container)
    while True:
        container.reload()
        pids.sample()
        if container.status not in ("created", "running"):
            break
        if time.monotonic() > deadline:
            problems.append(f"The notebook ran past its time limit ({limit:.0f} s) and was stopped.")
            container.kill()
            break
        time.sleep(1.0)
    container.reload()
    state = container.attrs.get("State", {})
    if state.get("OOMKilled"):
        problems.append(f"The notebook used more memory than the sandbox allows ({limits.memory}) and was stopped.")
    if pids.hit_limit:
        problems.append(f"The notebook started more processes than the sandbox allows ({limits.pids}).")
    reported = _reported_problems(container.logs(stdout=True, stderr=False, tail=20).decode(errors="replace"))
    if reported is None:
        if not problems:
            problems.append(
                f"The notebook's runner stopped without a report (exit code {state.get('ExitCode')}); "
                "something in the notebook ended it."
            )
        return problems
    return reported + problems


def _reported_problems(output: str) -> list[str] | None:
    for line in reversed(output.splitlines()):
        if line.startswith(RUN_MARKER):
            try:
                found = json.loads(line[len(RUN_MARKER) :])["problems"]
            except (ValueError, KeyError, TypeError):
                return None
            return [str(p)[:MAX_PROBLEM_CHARS] for p in found[:MAX_PROBLEMS]] if isinstance(found, list) else None
    return None


class _PidsWatch:
    """Whether the sandbox ever hit its process limit: the kernel's pids cgroup counts refused forks
    (cgroup v1 and v2 layouts of the Docker engine on this machine; silent where it cannot see them)."""

    def __init__(self, container: Container) -> None:
        cid = container.id
        self._candidates = [
            Path(f"/sys/fs/cgroup/pids/docker/{cid}/pids.events"),
            Path(f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/pids.events"),
            Path(f"/sys/fs/cgroup/docker/{cid}/pids.events"),
        ]
        self.hit_limit = False

    def sample(self) -> None:
        for path in self._candidates:
            try:
                text = path.read_text()
            except OSError:
                continue
            match = re.search(r"^max (\d+)", text, re.M)
            if match and int(match.group(1)) > 0:
                self.hit_limit = True
            return


def _remove(container: Container) -> None:
    try:
        container.remove(force=True)
    except docker.errors.NotFound:
        pass


# ---- the answer box: where checks run learner code ------------------------------------------------------------
@contextmanager
def answer_box(lab: Lab, release: Path, answers: Path, limits: SandboxLimits) -> Iterator[Container]:
    container = create(lab, release, "answers", ["sleep", "infinity"], limits, mounts={answers: ANSWERS})
    try:
        container.start()
        yield container
    finally:
        _remove(container)


class BoxRunner:
    """Runs Python in an answer box for a check (see CheckContext.run_python): paths of the course and of the
    answers folder are mapped to their places in the box, a folder is copied in by the engine, and URLs of the
    lab's published ports become its in-network addresses (the box sits on the lab's network)."""

    def __init__(self, container_name: str, answers: Path, lab: Lab) -> None:
        self.container = engine.client().containers.get(container_name)
        self.answers = answers.resolve()
        self.urls: dict[str, str] = {}
        for service, published in lab.endpoints.items():
            spec = lab.spec.services.get(service)
            if spec is None:
                continue
            host = (spec.aliases or (spec.name,))[0]
            for p in spec.publish:
                if p.name in published:
                    self.urls[str(published[p.name]["url"])] = p.url.format(host=host, port=p.port)

    def translate(self, value: Any) -> Any:
        if isinstance(value, str):
            for outside, inside in self.urls.items():
                if value.startswith(outside):
                    return inside + value[len(outside) :]
            return value
        if isinstance(value, list | tuple):
            return [self.translate(v) for v in value]
        if isinstance(value, dict):
            return {k: self.translate(v) for k, v in value.items()}
        return value

    def path(self, host_path: Path) -> str:
        host_path = host_path.resolve()
        for root, inside in ((course_root(), COURSE), (self.answers, ANSWERS)):
            if host_path == root or root in host_path.parents:
                return f"{inside}/{host_path.relative_to(root)}"
        raise MsalabError(f"{host_path} is neither in the course nor in the answers; a check cannot run it.")

    def run(
        self, script: Path, args: list[str], timeout: float, folder: Path | None
    ) -> subprocess.CompletedProcess[str]:
        if folder is not None:
            inside = f"/tmp/in-{uuid.uuid4().hex[:8]}"
            self.container.exec_run(["mkdir", "-p", inside], user=f"{LEARNER_UID}:{LEARNER_UID}")
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w") as tar:
                tar.add(folder, arcname=".")
            self.container.put_archive(inside, buf.getvalue())  # the engine extracts inside the box's own root
            args = [a.replace("{folder}", inside) for a in args]
        cmd = ["timeout", "-s", "KILL", str(max(1, int(timeout))), "python3", self.path(script), *args]
        done: dict[str, Any] = {}

        def call() -> None:
            done["result"] = self.container.exec_run(cmd, user=f"{LEARNER_UID}:{LEARNER_UID}", demux=True)

        # A detached child that keeps the output open would hold exec_run past `timeout`: wait on a thread.
        waiter = threading.Thread(target=call, daemon=True)
        waiter.start()
        waiter.join(timeout + 10)
        if "result" not in done:
            raise subprocess.TimeoutExpired(cmd, timeout)
        code, (out, err) = done["result"]
        if code == 137:
            raise subprocess.TimeoutExpired(cmd, timeout)
        return subprocess.CompletedProcess(
            cmd, code, (out or b"").decode(errors="replace"), (err or b"").decode(errors="replace")
        )
