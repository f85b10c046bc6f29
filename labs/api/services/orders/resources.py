from fastapi import APIRouter

import store
from models import NewOrder

router = APIRouter()


@router.post("/orders")
def create_order(new: NewOrder):
    return store.create(new.customer, [item.model_dump() for item in new.items])


@router.get("/orders/{order_id}")
def get_order(order_id: int):
    return store.get(order_id)
