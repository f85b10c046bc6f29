"""Helpers shared by the api lab's checks (public and hidden): requests through the published port, counting
orders in the service's own database, and what a problem+json answer must look like."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urljoin

import httpx

from msalab.checks import CheckContext
from msalab.lab import Lab

ORDER = {"customer": "ada", "items": [{"sku": "TEA-001", "quantity": 2}]}
COUNT = "import sqlite3; print(sqlite3.connect('/tmp/orders.db').execute('select count(*) from orders')"
COUNT += ".fetchone()[0])"
IDS = "import sqlite3; print([r[0] for r in sqlite3.connect('/tmp/orders.db').execute('select id from orders')])"


def base(lab: Lab) -> str:
    return lab.url("orders")


def call(lab: Lab, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, urljoin(base(lab), path), timeout=15, **kwargs)


def count(lab: Lab) -> int:
    """How many orders the database holds, asked inside the container (not through the API under test)."""
    done = lab.exec("orders", ["python3", "-c", COUNT])
    return int(done.output.strip())


def all_ids(lab: Lab) -> list[int]:
    done = lab.exec("orders", ["python3", "-c", IDS])
    return [int(x) for x in done.output.strip().strip("[]").split(",") if x.strip()]


def key() -> str:
    return str(uuid.uuid4())


def short(answer: httpx.Response) -> str:
    kind = answer.headers.get("content-type", "no content type")
    return f"{answer.status_code} ({kind}) {answer.text[:160]}"


def expect_problem(ctx: CheckContext, answer: httpx.Response, status: int, what: str) -> dict[str, Any]:
    ctx.expect(answer.status_code == status, f"{what} answered {short(answer)}; expected {status}.")
    kind = answer.headers.get("content-type", "")
    ctx.expect(
        kind.startswith("application/problem+json"),
        f"{what} answered with content type {kind!r}; expected application/problem+json.",
    )
    body = answer.json()
    ctx.expect(isinstance(body, dict), f"{what} answered {answer.text[:160]}; expected a JSON object.")
    ctx.expect(
        isinstance(body.get("title"), str) and isinstance(body.get("type"), str),
        f"{what}: the problem needs a 'type' and a 'title' (strings); it was {answer.text[:160]}.",
    )
    ctx.expect(body.get("status") == status, f"{what}: the problem's 'status' is {body.get('status')!r}, not {status}.")
    return body


def walk(ctx: CheckContext, first: str, between: Any = None, limit_pages: int = 200) -> list[int]:
    """Follow `next` from the first page to the last; returns the ids in the order seen."""
    seen: list[int] = []
    url: str | None = first
    pages = 0
    while url:
        answer = call(ctx.lab, "GET", url)
        ctx.expect(answer.status_code == 200, f"GET {url} answered {short(answer)}; expected 200.")
        body = answer.json()
        ctx.expect(
            isinstance(body, dict) and isinstance(body.get("items"), list) and "next" in body,
            f"GET {url} answered {answer.text[:120]}...; expected a page: {{'items': [...], 'next': ...}}.",
        )
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
        pages += 1
        ctx.expect(pages <= limit_pages, f"after {limit_pages} pages there was still a next page.")
        if between is not None and pages == 1:
            between()
    return seen
