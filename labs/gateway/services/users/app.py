"""users: the shop's customer profiles. Reachable on the lab network only, as users:8000."""

import socket

from fastapi import FastAPI, HTTPException, Request

ME = f"{socket.gethostname()}:8000"
app = FastAPI(title="users")

PROFILES = {
    "alice": {"id": "alice", "name": "Alice Liddell", "city": "Oxford"},
    "bob": {"id": "bob", "name": "Bob Marley", "city": "Kingston"},
    "carol": {"id": "carol", "name": "Carol Danvers", "city": "Boston"},
}


@app.middleware("http")
async def served_by(request: Request, call_next):
    response = await call_next(request)
    response.headers["X-Served-By"] = ME
    return response


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.get("/me")
def me(request: Request) -> dict:
    user = request.headers.get("x-user")
    return PROFILES.get(user or "", {"id": user, "name": None, "city": None})


@app.get("/admin/all")
def everyone() -> dict:
    return {"users": list(PROFILES.values())}


@app.get("/{user_id}")
def profile(user_id: str) -> dict:
    if user_id not in PROFILES:
        raise HTTPException(404, f"no user {user_id}")
    return PROFILES[user_id]
