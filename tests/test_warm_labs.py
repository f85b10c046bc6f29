"""Warm labs: a grader reuses a lab between submissions, so a reset must leave nothing of the one before.

runtime.reset brings a lab back to a fresh start's state (a service's declared reset, else a new container), and
a submission that corrupts its lab (drops a table, takes over the database user, leaves a file and a process in
a service) does not change the grade of the submission graded after it on the same lab.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import requests

from msalab import notebooks, runtime
from msalab.grader import Limits, grade_one, release_warm_labs

pytestmark = pytest.mark.docker

CHAPTER = "04-layering"  # a database and a service: the cheapest lab with state to corrupt

# Run by the submission's answer inside the inventory service, at import, with the root password any learner can
# read in the lab's lab.toml.
CORRUPT = """
import pymysql as _db, subprocess as _sp, pathlib as _pl
_root = _db.connect(host="db", user="root", password="root-pw", autocommit=True)
with _root.cursor() as _c:
    _c.execute("DROP TABLE IF EXISTS inventory_db.reservations")
    _c.execute("CREATE TABLE IF NOT EXISTS inventory_db.reservations (junk INT)")
    _c.execute("SET GLOBAL max_connections = 3")
_pl.Path("/tmp/left-behind").write_text("x")
_sp.Popen(["sleep", "600"], start_new_session=True)
"""


def _sql(lab: object, user: str, password: str, query: str) -> tuple[int, str]:
    result = lab.exec("db", ["mariadb", "-h127.0.0.1", f"-u{user}", f"-p{password}", "-N", "-e", query])  # type: ignore[attr-defined]
    return result.exit_code, result.output.decode() if isinstance(result.output, bytes) else str(result.output)


def test_reset_leaves_nothing_of_what_was_done_to_the_lab(clean_engine: None) -> None:
    lab = runtime.up("layers", quiet=True)
    try:
        assert (
            _sql(
                lab,
                "root",
                "root-pw",
                "DROP TABLE inventory_db.reservations; CREATE DATABASE junk; "
                "ALTER USER 'inventory'@'%' IDENTIFIED BY 'taken'; SET GLOBAL max_connections = 2",
            )[0]
            == 0
        )
        lab.exec("inventory", ["sh", "-c", "echo x > /tmp/left-behind"])
        lab.kill("inventory")

        runtime.reset(lab)

        assert lab.states() == {"db": "running", "inventory": "running"}
        code, out = _sql(lab, "inventory", "inventory-pw", "SELECT COUNT(*) FROM inventory_db.reservations")
        assert (code, out.strip()) == (0, "0"), out
        assert "junk" not in _sql(lab, "root", "root-pw", "SHOW DATABASES")[1]
        assert _sql(lab, "root", "root-pw", "SELECT @@GLOBAL.max_connections")[1].strip() == "40"
        assert lab.exec("inventory", ["test", "-e", "/tmp/left-behind"]).exit_code == 1
        assert requests.get(lab.url("inventory") + "/health", timeout=5).status_code == 200
    finally:
        lab.down()


def test_a_corrupting_submission_does_not_change_the_next_grade_on_the_same_lab(
    tmp_path: Path, clean_engine: None
) -> None:
    nb = notebooks.load_chapter(CHAPTER)[1]
    answers = notebooks.reference_answers(nb)
    nbformat.write(notebooks.with_answers(nb, answers), tmp_path / "solved.ipynb")
    first = next(iter(answers))
    hostile = {**answers, first: CORRUPT + answers[first]}
    nbformat.write(notebooks.with_answers(nb, hostile), tmp_path / "hostile.ipynb")

    warm = Limits(reuse_labs=True)
    try:
        corrupted = grade_one(tmp_path / "hostile.ipynb", warm, CHAPTER)
        after = grade_one(tmp_path / "solved.ipynb", warm, CHAPTER)
    finally:
        release_warm_labs()
    assert corrupted.total < corrupted.max_total, "the corruption must hurt the submission that does it"
    assert after.total == after.max_total > 0 and after.problems == [], after.to_json()
