"""The CI/CD lab's kit, for its checks and its chapter: make commits, follow builds, read the registry, route
production and put load on it. Everything goes through the lab handle (lab.url, lab.exec, lab.put_files), so it
works the same on a learner's machine and in the grading sandbox."""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

SEED = Path(__file__).parent / "services" / "git" / "shop"
IMAGE = "registry:5000/shop"  # how production's slots name the shop's images (the registry's in-lab address)
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
COLOURS = ("blue", "green")
# Buildbot's web server gzips a response when asked to, and now and then sends a body that is not gzip under a
# gzip header (seen in CI: "Error -3 while decompressing data: incorrect header check"); its JSON is small.
CI_HEADERS = {"Accept-Encoding": "identity"}
# Whether a pipeline passed the build of a good commit, by (CI server, pipeline's hash): None if it did, else that
# build's log (checks.expect_a_good_commit_passes). Here, not in checks.py: hidden checks load their own copy of it.
GOOD_BUILDS: dict[tuple[str, str], str | None] = {}


# ---- commits -----------------------------------------------------------------------------------------------------
def seed(path: str) -> str:
    """A file of the shop's repository as the lab starts with it."""
    return (SEED / path).read_text()


def edit(path: str, old: str, new: str) -> dict[str, str]:
    """One file of the seed repository with one change: the files of a commit."""
    text = seed(path)
    if old not in text:
        raise ValueError(f"{old!r} is not in {path}")
    return {path: text.replace(old, new)}


def _commit(lab: Any, files: dict[str, str], branch: str, message: str, mode: str) -> list[str]:
    stage = f"/tmp/stage-{uuid.uuid4().hex[:8]}"
    lab.exec("git", ["mkdir", "-p", stage])
    if files:
        lab.put_files("git", files, stage)
    done = lab.exec("git", ["sh", "/srv/git/bin/commit.sh", stage, branch, message, mode])
    if done.exit_code != 0:
        raise RuntimeError(f"commit.sh failed: {done.output.strip()}")
    return done.output.split()


def push(lab: Any, files: dict[str, str], message: str, branch: str = "main") -> str:
    """Commit `files` (path -> content) on `branch`, started from main, and push it: the CI builds it."""
    return _commit(lab, files, branch, message, "push")[0]


def prepare(lab: Any, files: dict[str, str], message: str) -> tuple[str, str]:
    """A commit built straight into the registry, tagged by its id, without the CI: (commit, image digest)."""
    sha, digest = _commit(lab, files, f"prepared-{uuid.uuid4().hex[:6]}", message, "build")[:2]
    return sha, digest


# ---- the CI server -----------------------------------------------------------------------------------------------
def builds(lab: Any) -> list[dict[str, Any]]:
    """The shop builder's recent builds, newest first, each with its commit (`revision`) when known."""
    r = httpx.get(
        f"{lab.url('ci')}/api/v2/builders/shop/builds",
        params={"order": "-buildid", "limit": 50, "property": ["got_revision", "revision"]},
        headers=CI_HEADERS,
        timeout=10,
    )
    r.raise_for_status()
    out = []
    for b in r.json()["builds"]:
        props = b.get("properties", {})
        rev = (props.get("got_revision") or props.get("revision") or [None])[0]
        out.append({**b, "revision": rev})
    return out


def wait_build(lab: Any, sha: str, timeout: float = 90) -> dict[str, Any]:
    """The finished build of commit `sha` (results: 0 success, 2 failure); waits for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for b in builds(lab):
            if b["revision"] == sha and b["complete"]:
                return b
        time.sleep(0.5)
    raise TimeoutError(f"no finished build of {sha[:12]} within {timeout:.0f} s")


def build_log(lab: Any, build: dict[str, Any]) -> str:
    """The pipeline step's output of a build (from the REST API's log chunks: the raw endpoint may send them
    compressed)."""
    url = f"{lab.url('ci')}/api/v2/builds/{build['buildid']}/steps/pipeline/logs/stdio/contents"
    r = httpx.get(url, headers=CI_HEADERS, timeout=10)
    if r.status_code != 200:
        return ""
    text = "".join(chunk["content"] for chunk in r.json().get("logchunks", []))
    # Each line starts with its channel: o (stdout), e (stderr), h (header).
    return "\n".join(line[1:] for line in text.splitlines())


# ---- the registry ------------------------------------------------------------------------------------------------
def tags(lab: Any) -> list[str]:
    r = httpx.get(f"{lab.url('registry')}/v2/shop/tags/list", timeout=10)
    return (r.json().get("tags") or []) if r.status_code == 200 else []


def digest(lab: Any, tag: str) -> str | None:
    """The digest shop:`tag` points at now, or None."""
    r = httpx.head(f"{lab.url('registry')}/v2/shop/manifests/{tag}", headers={"Accept": MANIFEST}, timeout=10)
    return r.headers.get("docker-content-digest") if r.status_code == 200 else None


def revision_label(lab: Any, ref: str) -> str | None:
    """The commit an image says it was built from (its org.opencontainers.image.revision label)."""
    base = lab.url("registry")
    m = httpx.get(f"{base}/v2/shop/manifests/{ref}", headers={"Accept": MANIFEST}, timeout=10)
    if m.status_code != 200:
        return None
    config = httpx.get(f"{base}/v2/shop/blobs/{m.json()['config']['digest']}", timeout=10).json()
    return config.get("config", {}).get("Labels", {}).get("org.opencontainers.image.revision")


# ---- production --------------------------------------------------------------------------------------------------
def urls(lab: Any) -> dict[str, str]:
    """What a release needs to reach: the router's API, both slots' agents, the registry's API."""
    return {
        "router": lab.url("router", "api"),
        "blue": lab.url("blue"),
        "green": lab.url("green"),
        "registry": lab.url("registry"),
    }


def route(lab: Any, weights: dict[str, int]) -> None:
    """Give the router its whole configuration: the shop's traffic split over the slots by weight."""
    services: dict[str, Any] = {c: {"loadBalancer": {"servers": [{"url": f"http://{c}:8000"}]}} for c in COLOURS}
    services["shop"] = {"weighted": {"services": [{"name": c, "weight": w} for c, w in weights.items() if w > 0]}}
    config = {
        "http": {
            "routers": {"shop": {"rule": "PathPrefix(`/`)", "service": "shop", "entryPoints": ["web"]}},
            "services": services,
        }
    }
    httpx.put(f"{lab.url('router', 'api')}/api/providers/rest", json=config, timeout=10).raise_for_status()


def slot(lab: Any, colour: str) -> dict[str, Any]:
    return httpx.get(f"{lab.url(colour)}/status", timeout=10).json()


def deploy(lab: Any, colour: str, image: str, timeout: float = 30) -> dict[str, Any]:
    """Deploy `image` into a slot and wait until it runs (or failed)."""
    httpx.post(f"{lab.url(colour)}/deploy", json={"image": image}, timeout=30).raise_for_status()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = slot(lab, colour)
        if status["state"] in ("running", "failed"):
            return status
        time.sleep(0.1)
    raise TimeoutError(f"{colour} did not start {image} within {timeout:.0f} s")


def serving(lab: Any, n: int = 20) -> dict[str, int]:
    """Which commits answer n requests through the router now: {revision: count} ('-' for no answer)."""
    seen: dict[str, int] = {}
    with httpx.Client(timeout=5) as client:
        for _ in range(n):
            try:
                rev = client.get(f"{lab.url('router', 'web')}/health").headers.get("x-revision", "-")
            except httpx.HTTPError:
                rev = "-"
            seen[rev] = seen.get(rev, 0) + 1
    return seen


def reset(lab: Any) -> str:
    """Production as the lab starts: both slots run the first release (v1) and all traffic goes to blue.
    Returns the first release's commit."""
    v1 = digest(lab, "v1")
    for colour in COLOURS:
        status = slot(lab, colour)
        if status["digest"] != v1 or status["state"] != "running":
            deploy(lab, colour, f"{IMAGE}:v1")
    route(lab, {"blue": 100})
    time.sleep(0.3)  # the router applies a new configuration within ~0.1 s
    return slot(lab, "blue")["revision"]


# ---- load --------------------------------------------------------------------------------------------------------
@dataclass
class Load:
    """Users of the shop: `rate` requests per second through the router, in a thread, each one recorded as
    (seconds since start, status or 0 for no answer, slot, revision)."""

    lab: Any
    rate: float = 40
    records: list[tuple[float, int, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = time.monotonic()

    def _run(self) -> None:
        url = self.lab.url("router", "web")
        with httpx.Client(timeout=5) as client:
            n = 0
            while not self._stop.is_set():
                due = self.t0 + n / self.rate
                if (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                n += 1
                try:
                    r = client.get(f"{url}/products/{random.randint(1, 3)}")
                    row = (r.status_code, r.headers.get("x-slot", "-"), r.headers.get("x-revision", "-"))
                except httpx.HTTPError:
                    row = (0, "-", "-")
                self.records.append((time.monotonic() - self.t0, *row))

    def __enter__(self) -> Load:
        self.t0 = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def failed(self, since: float = 0) -> int:
        return sum(1 for t, code, _, _ in self.records if t >= since and not 200 <= code < 300)

    def last(self, n: int = 10) -> list[tuple[float, int, str, str]]:
        return self.records[-n:]

    def now(self) -> float:
        return time.monotonic() - self.t0

    def settles_on(self, revision: str, within: float = 4.0, n: int = 8) -> bool:
        """Whether, within `within` seconds from now, the last `n` users were all served by `revision` (a router
        applies a new configuration in about 0.1 s, but a busy machine may take longer)."""
        since = self.now()
        while self.now() - since < within:
            recent = [r for r in self.records if r[0] >= since][-n:]
            if len(recent) == n and all(r[3] == revision for r in recent):
                return True
            time.sleep(0.1)
        return False


# ---- figures -----------------------------------------------------------------------------------------------------
def plot_versions(load: Load, names: dict[str, str], marks: dict[str, float]) -> None:
    """One dot per request: the version that answered it (by `names`, revision -> label), red when it failed;
    a dashed line at each of `marks` (label -> seconds)."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(9, 2.6))
    for failed, colour in ((False, "tab:blue"), (True, "tab:red")):
        pts = [(t, names.get(rev, "other")) for t, code, _, rev in load.records if (not 200 <= code < 300) == failed]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=6, color=colour, label="failed" if failed else "ok")
    _marks(ax, marks)
    ax.set_xlabel("seconds")
    ax.set_ylabel("answered by")
    ax.legend(loc="center right")
    plt.show()


def plot_canary(load: Load, canary: str, marks: dict[str, float], step: float = 0.5) -> None:
    """Per `step` seconds: the share of requests the canary (revision `canary`) answered, and the share that failed."""
    import matplotlib.pyplot as plt

    bins = int(max(r[0] for r in load.records) / step) + 1
    share, errors = [0.0] * bins, [0.0] * bins
    for b in range(bins):
        window = [r for r in load.records if b * step <= r[0] < (b + 1) * step]
        if window:
            share[b] = 100 * sum(r[3] == canary for r in window) / len(window)
            errors[b] = 100 * sum(not 200 <= r[1] < 300 for r in window) / len(window)
    xs = [b * step for b in range(bins)]
    _, ax = plt.subplots(figsize=(9, 2.8))
    # The canary's share as an area, the failures as a line over it: when every canary request fails they coincide.
    ax.fill_between(xs, share, step="post", alpha=0.35, color="tab:blue", label="answered by the canary (%)")
    ax.step(xs, errors, where="post", color="tab:red", linestyle="--", label="failed requests (%)")
    _marks(ax, marks)
    ax.set_xlabel("seconds")
    ax.set_ylim(0, 105)
    ax.legend(loc="upper right")
    plt.show()


def _marks(ax: Any, marks: dict[str, float]) -> None:
    for label, t in marks.items():
        ax.axvline(t, color="grey", linestyle="--")
        ax.text(t, 1.02, label, transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
