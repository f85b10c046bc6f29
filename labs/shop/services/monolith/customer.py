"""customer: who buys, and where they live."""

import itertools

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

import db
from tracing import traced

router = APIRouter()
_ids = itertools.count(2)


@traced
def register(name: str, street: str, city: str) -> dict:
    customer_id = f"c{next(_ids)}"
    db.execute("insert into customers values (?, ?)", customer_id, name)
    db.execute("insert into addresses values (?, ?, ?)", customer_id, street, city)
    return {"customer_id": customer_id, "name": name}


@traced
def get(customer_id: str) -> dict:
    found = db.query("select id, name from customers where id = ?", customer_id)
    if not found:
        raise HTTPException(404, "no such customer")
    return found[0]


@traced
def address_of(customer_id: str) -> dict:
    return db.query("select street, city from addresses where customer_id = ?", customer_id)[0]


@traced
def move(customer_id: str, street: str, city: str) -> dict:
    get(customer_id)
    db.execute("update addresses set street = ?, city = ? where customer_id = ?", street, city, customer_id)
    return {"id": customer_id, "street": street, "city": city}


class NewCustomer(BaseModel):
    name: str
    street: str
    city: str


class Address(BaseModel):
    street: str
    city: str


@router.post("/customers", status_code=201)
async def register_route(body: NewCustomer) -> dict:
    return register(body.name, body.street, body.city)


@router.put("/customers/{customer_id}/address")
async def move_route(customer_id: str, body: Address) -> dict:
    return move(customer_id, body.street, body.city)
