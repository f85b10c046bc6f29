"""catalog: the shop's products. Reachable on the lab network only, as catalog:8000.

Like many internal services it was written for a trusted network: it runs with debug on (a crash answers
with a full traceback), names its container in every answer (X-Served-By) and trusts the identity headers
it receives (X-User, X-Roles). The gateway is what makes that safe.
"""

import socket

from fastapi import FastAPI, HTTPException, Request, Response
from pydantic import BaseModel

ME = f"{socket.gethostname()}:8000"
app = FastAPI(title="catalog", debug=True)

PRODUCTS: dict[int, dict] = {
    1: {"id": 1, "name": "Moka pot", "price": 34.0},
    2: {"id": 2, "name": "Espresso cups (set of 4)", "price": 18.5},
    3: {"id": 3, "name": "Coffee grinder", "price": 89.0},
    13: {"id": 13, "name": "Unlucky kettle", "price": 0.0},
}


class NewProduct(BaseModel):
    name: str
    price: float


@app.middleware("http")
async def served_by(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Served-By"] = ME
    return response


def caller(request: Request) -> dict:
    """Who the gateway says is calling: this service trusts the headers blindly."""
    roles = request.headers.get("x-roles", "")
    return {"user": request.headers.get("x-user"), "roles": [r for r in roles.split(",") if r]}


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/products")
def products(request: Request) -> dict:
    return {"products": list(PRODUCTS.values()), "seen_as": caller(request)}


@app.get("/products/{product_id}")
def product(product_id: int, request: Request) -> dict:
    if product_id not in PRODUCTS:
        raise HTTPException(404, f"no product {product_id}")
    if product_id == 13:
        discount = 1 / (PRODUCTS[13]["price"])  # a bug: debug=True answers with the traceback
        return {"discount": discount}
    return {**PRODUCTS[product_id], "seen_as": caller(request)}


@app.post("/products", status_code=201)
def add_product(body: NewProduct, request: Request, response: Response) -> dict:
    new_id = max(PRODUCTS) + 1
    PRODUCTS[new_id] = {"id": new_id, "name": body.name, "price": body.price}
    # An absolute URL with the internal name: it leaks unless the gateway rewrites it.
    response.headers["Location"] = f"http://{ME}/products/{new_id}"
    return {**PRODUCTS[new_id], "seen_as": caller(request)}


@app.delete("/products/{product_id}", status_code=204)
def delete_product(product_id: int) -> Response:
    PRODUCTS.pop(product_id, None)
    return Response(status_code=204)
