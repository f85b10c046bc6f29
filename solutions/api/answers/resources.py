from typing import Annotated

import store
from fastapi import APIRouter, HTTPException, Path, Request, Response
from models import NewOrder, Order, Problem

router = APIRouter(tags=["orders"])

# Order ids are positive 32-bit numbers: anything else is not an order id (and SQLite cannot even hold it).
OrderId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def problem(status: int, description: str) -> dict:
    return {"model": Problem, "description": description, "content": {"application/problem+json": {}}}


@router.post(
    "/orders",
    status_code=201,
    response_model=Order,
    responses={
        201: {
            "description": "Created",
            "headers": {"Location": {"description": "The new order's URL", "schema": {"type": "string"}}},
        },
        422: problem(422, "The order is not valid"),
    },
)
def create_order(new: NewOrder, request: Request, response: Response) -> dict:
    order = store.create(new.customer, [item.model_dump() for item in new.items])
    response.headers["Location"] = str(request.url_for("get_order", order_id=order["id"]).path)
    return order


@router.get("/orders/{order_id}", response_model=Order, responses={404: problem(404, "No such order")})
def get_order(order_id: OrderId) -> dict:
    order = store.get(order_id)
    if order is None:
        raise HTTPException(404, f"There is no order {order_id}.")
    return order


@router.post(
    "/orders/{order_id}/cancel",
    response_model=Order,
    responses={404: problem(404, "No such order"), 409: problem(409, "Already cancelled")},
)
def cancel_order(order_id: OrderId) -> dict:
    order = get_order(order_id)
    if order["status"] == "cancelled":
        raise HTTPException(409, f"Order {order_id} is already cancelled.")
    return store.cancel(order_id)
