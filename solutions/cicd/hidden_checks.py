"""Hidden checks of the CI/CD lab: only the grader runs these."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "labs" / "cicd"))

import cicdkit as kit
from commits import NEW_PRODUCT

from msalab.checks import CheckContext, check, lab_module

# Loaded by path: in one grading process another lab's checks may be `checks` already.
public = lab_module("cicd", "checks.py")

# Unit tests pass; an unknown product id crashes the handler (500) instead of answering 404 as the OpenAPI says.
CONTRACT_BREAK = kit.edit(
    "app/app.py", '    if found is None:\n        raise HTTPException(404, "no such product")\n', ""
)
# The domain starts to speak HTTP: tests and contract pass, the architecture rule does not.
LAYER_BREAK = kit.edit(
    "app/catalog.py",
    "from dataclasses import dataclass\n",
    "from dataclasses import dataclass\n\nfrom fastapi import HTTPException  # noqa: F401\n",
)
# The app dies at start (a module that is not there).
CRASH = kit.edit("app/app.py", "from app import catalog\n", "from app import catalog, settings  # noqa: F401\n")
# Every request for product 1 or 2 fails.
BROKEN = kit.edit(
    "app/app.py",
    "    found = catalog.find(product_id)\n",
    "    found = catalog.find(product_id)\n"
    "    if product_id in (1, 2):\n        raise RuntimeError('stock lookup broken')\n",
)


# Both pipeline checks grade the same two sentences of the chapter.
PIPELINE_STATES = (
    "chapter: Write the stages: unit tests, contract test, architecture rule, and only then build and "
    "push the image, tagged by the commit. The first stage that fails must fail the build, so that an "
    "untested commit never reaches the registry.\n"
    "chapter: Hidden checks push commits you have not seen."
)


@check(
    "cicd.pipeline",
    points=1,
    title="a commit that breaks the API's contract never reaches the registry",
    timeout=150,
    states=PIPELINE_STATES,
)
def contract_break_stops_the_pipeline(ctx: CheckContext) -> None:
    sha, build = public.pipeline_build(ctx, CONTRACT_BREAK, "Simplify the product lookup")
    ctx.expect(
        sha not in kit.tags(ctx.lab), f"a commit that breaks the OpenAPI contract reached the registry ({sha[:12]})."
    )
    ctx.expect(build["results"] != 0, "the build of a commit that breaks the contract passed.")
    public.expect_a_good_commit_passes(ctx)


@check(
    "cicd.pipeline",
    points=1,
    title="a commit that breaks the architecture rule never reaches the registry",
    timeout=150,
    states=PIPELINE_STATES,
)
def layer_break_stops_the_pipeline(ctx: CheckContext) -> None:
    sha, build = public.pipeline_build(ctx, LAYER_BREAK, "Let the domain raise HTTP errors")
    ctx.expect(sha not in kit.tags(ctx.lab), f"a commit that breaks the layering reached the registry ({sha[:12]}).")
    ctx.expect(build["results"] != 0, "the build of a commit that breaks the architecture rule passed.")
    public.expect_a_good_commit_passes(ctx)


@check(
    "cicd.release",
    points=1,
    title="a release that does not start never takes traffic",
    timeout=120,
    states=(
        "stub: put the image the CI built from `commit` into the slot that is NOT live, and switch all "
        "users to it only once it runs; if it never runs, leave users where they are. Return the colour "
        "that is live afterwards."
    ),
)
def crashing_release_takes_no_traffic(ctx: CheckContext) -> None:
    old = kit.reset(ctx.lab)
    sha, _ = kit.prepare(ctx.lab, CRASH, "Read settings from a module")
    with kit.Load(ctx.lab, rate=40) as load:
        try:
            live = ctx.run_answer("release", kit.urls(ctx.lab), sha, "blue", timeout=60)
        finally:
            time.sleep(0.5)
    green = kit.slot(ctx.lab, "green")
    ctx.expect(green["revision"] == sha, "release(...) never deployed the new commit into the idle slot.")
    ctx.expect(live == "blue", f"release(...) of a version that does not start returned {live!r}; expected 'blue'.")
    ctx.expect({r[3] for r in load.records} == {old}, "users reached something other than the running version.")
    ctx.expect(load.failed() == 0, f"{load.failed()} requests failed while a broken release was tried; expected 0.")


@check(
    "cicd.release",
    points=1,
    title="production runs images by digest: a moved tag changes nothing",
    timeout=120,
    states=("stub: Deploy it by digest, IMAGE@sha256:..., not by tag: a tag can be moved later, a digest cannot"),
)
def release_by_digest(ctx: CheckContext) -> None:
    kit.reset(ctx.lab)
    sha, digest = kit.prepare(ctx.lab, NEW_PRODUCT, "Sell teacups")
    ctx.run_answer("release", kit.urls(ctx.lab), sha, "blue", timeout=60)
    green = kit.slot(ctx.lab, "green")
    ctx.expect(
        green["image"] == f"{kit.IMAGE}@{digest}", f"green runs {green['image']!r}; expected {kit.IMAGE}@{digest}."
    )
    # Someone pushes another image under the same tag; the slot restarts (a host reboot) and pulls again.
    other, _ = kit.prepare(ctx.lab, {}, "Retag")
    ctx.lab.exec("git", ["python3", "-c", _RETAG.format(src=other, dst=sha)])
    ctx.lab.restart("green")
    deadline = time.monotonic() + 30
    while kit.slot(ctx.lab, "green")["state"] != "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    ctx.expect(kit.slot(ctx.lab, "green")["revision"] == sha, "after a restart green runs another commit.")


_RETAG = """
import urllib.request as u
M = "application/vnd.oci.image.manifest.v1+json"
body = u.urlopen(u.Request("http://registry:5000/v2/shop/manifests/{src}", headers={{"Accept": M}})).read()
u.urlopen(u.Request("http://registry:5000/v2/shop/manifests/{dst}", data=body, method="PUT",
                    headers={{"Content-Type": M}}))
"""


@check(
    "cicd.canary",
    points=2,
    title="a broken canary is rolled back by itself, before most users meet it",
    timeout=120,
    states=(
        "stub: shifts users to it in steps (10 %, 25 %, 50 %, 100 %), holding each step for `hold` "
        "seconds.\n"
        "stub: If the canary fails noticeably more often, it sends every user back to the stable slot at "
        'once and returns "rolled back"'
    ),
)
def broken_canary_rolls_back(ctx: CheckContext) -> None:
    old = kit.reset(ctx.lab)
    sha, _ = kit.prepare(ctx.lab, BROKEN, "Check stock on every lookup")
    with kit.Load(ctx.lab, rate=40) as load:
        verdict = ctx.run_answer("canary", kit.urls(ctx.lab), sha, "blue", timeout=90)
        back = verdict == "rolled back" and load.settles_on(old)
    met = sum(r[3] == sha for r in load.records)
    ctx.expect(met > 0, "the broken canary never served a user: canary(...) did not try it.")
    ctx.expect(
        verdict == "rolled back", f"canary(...) returned {verdict!r} for a broken release; expected 'rolled back'."
    )
    ctx.expect(back, "after the rollback users still reach the broken version.")
    ctx.expect(
        met < 0.35 * len(load.records),
        f"{met} of {len(load.records)} requests reached the broken canary before the rollback; expected "
        "it to be caught early.",
    )
