from fastapi import APIRouter

import store

router = APIRouter()


@router.get("/orders")
def list_orders():
    # Every order at once.
    return store.everything()
