"""Public checks of the CI/CD lab: what `msalab.check(...)` runs in the notebook.

They act as a developer and as users would: push commits to the git server, read the CI server's REST API and
the registry's, and send requests through production's router while your release code runs.
"""

import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cicdkit as kit
from commits import NEW_PRODUCT, ROUNDING_BUG

from msalab.checks import CheckContext, check


def pipeline_build(ctx: CheckContext, files: dict[str, str], message: str) -> tuple[str, dict]:
    """Push `files` together with your pipeline (on a branch of its own) and wait for the CI's verdict."""
    ctx.import_answer()  # a pipeline that does not even import fails here, with its cause, not after a build
    assert ctx.answer_path is not None
    branch = f"check-{int(time.time() * 1000) % 10**8}"
    sha = kit.push(ctx.lab, {"ci/pipeline.py": ctx.answer_path.read_text(), **files}, message, branch=branch)
    return sha, kit.wait_build(ctx.lab, sha, timeout=120)


def _pipeline_key(ctx: CheckContext) -> tuple[str, str]:
    assert ctx.answer_path is not None
    return ctx.lab.url("ci"), hashlib.sha256(ctx.answer_path.read_bytes()).hexdigest()


def remember_good_build(ctx: CheckContext, build: dict) -> str | None:
    """Note whether your pipeline passed the build of a good commit: None if it did, else that build's log."""
    failed = None if build["results"] == 0 else kit.build_log(ctx.lab, build)[-400:]
    kit.GOOD_BUILDS[_pipeline_key(ctx)] = failed
    return failed


def expect_a_good_commit_passes(ctx: CheckContext) -> None:
    """A pipeline that fails every build would 'stop' every bad commit: a failed build proves it stopped one only if
    the same pipeline passes a good commit. Built once per pipeline and CI server (the first pipeline check's good
    build answers it)."""
    key = _pipeline_key(ctx)
    if key not in kit.GOOD_BUILDS:
        remember_good_build(ctx, pipeline_build(ctx, NEW_PRODUCT, "Sell teacups")[1])
    failed = kit.GOOD_BUILDS[key]
    ctx.expect(
        failed is None, f"your pipeline fails the build of a good commit too, so its failing proves nothing: {failed}"
    )


# ---- 1. the pipeline ---------------------------------------------------------------------------------------------
@check(
    "cicd.pipeline", points=2, title="a good push ends as an image in the registry, tagged by its commit", timeout=150
)
def good_push_reaches_the_registry(ctx: CheckContext) -> None:
    sha, build = pipeline_build(ctx, NEW_PRODUCT, "Sell teacups")
    failed = remember_good_build(ctx, build)
    ctx.expect(failed is None, f"the build of {sha[:12]} failed: {failed}")
    ctx.expect(sha in kit.tags(ctx.lab), f"the build of {sha[:12]} passed, but the registry has no shop:{sha[:12]}…")
    label = kit.revision_label(ctx.lab, sha)
    ctx.expect(label == sha, f"shop:{sha[:12]}… says it was built from {label!r}; expected the commit {sha[:12]}…")


@check("cicd.pipeline", points=1, title="a failing unit test fails the build and pushes nothing", timeout=150)
def failing_test_stops_the_pipeline(ctx: CheckContext) -> None:
    sha, build = pipeline_build(ctx, ROUNDING_BUG, "Round prices down")
    ctx.expect(sha not in kit.tags(ctx.lab), f"a commit whose unit tests fail reached the registry as shop:{sha[:12]}…")
    ctx.expect(build["results"] != 0, f"the build of a commit whose unit tests fail passed (commit {sha[:12]}).")
    expect_a_good_commit_passes(ctx)


# ---- 2. blue-green -----------------------------------------------------------------------------------------------
@check(
    "cicd.release", points=2, title="release switches users to the new commit with zero failed requests", timeout=120
)
def release_without_failures(ctx: CheckContext) -> None:
    kit.reset(ctx.lab)
    sha, _ = kit.prepare(ctx.lab, NEW_PRODUCT, "Sell teacups")
    with kit.Load(ctx.lab, rate=40) as load:
        time.sleep(0.5)
        live = ctx.run_answer("release", kit.urls(ctx.lab), sha, "blue", timeout=60)
        switched = live == "green" and load.settles_on(sha)
    ctx.expect(live == "green", f"release(...) returned {live!r}; expected 'green', the slot that was idle.")
    revs = sorted({rev for *_, rev in load.last(10)})
    ctx.expect(switched, f"after the release users were served by {revs}; expected only {sha[:12]}….")
    ctx.expect(
        load.failed() == 0,
        f"{load.failed()} of {len(load.records)} users' requests failed during the release; expected none.",
    )


@check("cicd.release", points=1, title="rollback sends everyone back to the old slot at once, without a redeploy")
def rollback_is_instant(ctx: CheckContext) -> None:
    old = kit.reset(ctx.lab)
    new, digest = kit.prepare(ctx.lab, NEW_PRODUCT, "Sell teacups")
    kit.deploy(ctx.lab, "green", f"{kit.IMAGE}@{digest}")
    kit.route(ctx.lab, {"green": 100})
    before = kit.slot(ctx.lab, "blue")["since"]
    with kit.Load(ctx.lab, rate=40) as load:
        # Users must be on the new version before the rollback, or doing nothing would look like an instant one.
        if not load.settles_on(new, within=15):
            raise RuntimeError("the router did not send users to the new version within 15 s; ask your instructor")
        started = time.monotonic() - load.t0
        ctx.run_answer("rollback", kit.urls(ctx.lab), "blue", timeout=30)
        returned = load.now()
        settled = load.settles_on(old)
    back = [t for t, _, _, rev in load.records if t >= started and rev == old]
    ctx.expect(back, f"after rollback(urls, 'blue') users were still served by {sorted({r[3] for r in load.last(5)})}.")
    # At once: the old slot never stopped, so users are back as soon as the router has its new configuration
    # (measured from rollback()'s return: starting the Python process that runs it is not the rollback's time).
    late = back[0] - returned
    ctx.expect(late < 1.5, f"users reached the old version {late:.1f} s after rollback() returned; expected at once.")
    ctx.expect(settled, "after rollback() some users still reached the new version.")
    ctx.expect(kit.slot(ctx.lab, "blue")["since"] == before, "rollback() redeployed blue; it only has to switch.")
    ctx.expect(load.failed() == 0, f"{load.failed()} requests failed during the rollback; expected none.")


# ---- 3. canary ---------------------------------------------------------------------------------------------------
@check("cicd.canary", points=2, title="a good canary takes traffic in steps and is promoted", timeout=120)
def good_canary_is_promoted(ctx: CheckContext) -> None:
    old = kit.reset(ctx.lab)
    sha, _ = kit.prepare(ctx.lab, NEW_PRODUCT, "Sell teacups")
    with kit.Load(ctx.lab, rate=40) as load:
        verdict = ctx.run_answer("canary", kit.urls(ctx.lab), sha, "blue", timeout=90)
        promoted = verdict == "promoted" and load.settles_on(sha)
    ctx.expect(verdict == "promoted", f"canary(...) returned {verdict!r} for a good release; expected 'promoted'.")
    ctx.expect(promoted, "after the promotion not every user reached the new version.")
    # In steps: for a while both versions served users side by side, the new one for a minority first.
    mixed = [r for r in load.records if r[3] in (old, sha)]
    first_new = next((i for i, r in enumerate(mixed) if r[3] == sha), None)
    ctx.expect(first_new is not None, "the new version never served a user.")
    window = mixed[first_new : first_new + 40]
    share = sum(r[3] == sha for r in window) / max(len(window), 1)
    ctx.expect(
        share < 0.5,
        f"in the first 40 requests after the canary started, {share:.0%} went to it; a canary starts small.",
    )
    ctx.expect(load.failed() == 0, f"{load.failed()} requests failed during a good canary; expected none.")
