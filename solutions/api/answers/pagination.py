import base64
import binascii
import json
from typing import Annotated

import store
from fastapi import APIRouter, HTTPException, Query, Request
from models import OrderPage, Problem

router = APIRouter(tags=["orders"])


def encode(before: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": before}).encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["before"]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise HTTPException(400, "The cursor is not one this API gave out.") from None
    if not isinstance(before, int) or not 1 <= before <= 2_147_483_647:
        raise HTTPException(400, "The cursor is not one this API gave out.")
    return before


@router.get(
    "/orders",
    response_model=OrderPage,
    responses={400: {"model": Problem, "description": "Bad cursor", "content": {"application/problem+json": {}}}},
)
def list_orders(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict:
    # Newest first. The cursor remembers the last id seen, not a position: orders placed meanwhile
    # cannot shift the next page (no duplicates, no gaps), and the database seeks instead of skipping.
    before = decode(cursor) if cursor else None
    rows = store.newest(before=before, limit=limit + 1)
    page = rows[:limit]
    more = len(rows) > limit
    next_url = f"{request.url.path}?limit={limit}&cursor={encode(page[-1]['id'])}" if more else None
    return {"items": page, "next": next_url}
