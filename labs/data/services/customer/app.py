"""customer: who buys. It owns customer_db; nobody else reads it, they ask this API."""

from fastapi import FastAPI, HTTPException

from db import connect

app = FastAPI(title="customer")


@app.on_event("startup")
def wait_for_db() -> None:
    connect().close()


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/customers/{customer_id}")
def customer(customer_id: str) -> dict:
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id, name, city FROM customers WHERE id = %s", (customer_id,))
            row = cur.fetchone()
    finally:
        conn.close()
    if row is None:
        raise HTTPException(404, f"no customer {customer_id!r}")
    return {"id": row[0], "name": row[1], "city": row[2]}
