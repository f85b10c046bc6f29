"""idp: the consumer identity provider. It knows the shop's API consumers and signs tokens for them.

POST /auth/token {"client_id": "alice", "client_secret": "alice-secret", "expires_in": 300}
  -> {"access_token": "<JWT>", "token_type": "Bearer", "expires_in": 300}
GET /auth/public-key -> the PEM of the key that verifies its tokens (RS256).

Tokens are JWTs signed with an RSA private key that never leaves this container; anyone can verify them with
the public key. The gateway reaches this service as idp:8000; clients reach /auth/* through the edge.
"""

import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

ISSUER = "shop-idp"
AUDIENCE = "shop-api"
KEY_FILE = Path("/tmp/idp-signing-key.pem")  # survives a restart of the container, not a new lab

# client_id -> (secret, roles). Real providers keep these in a database; here they are the lab's cast.
CONSUMERS = {
    "alice": ("alice-secret", ["customer"]),
    "bob": ("bob-secret", ["customer"]),
    "carol": ("carol-secret", ["admin"]),
    "dave": ("dave-secret", ["customer"]),
    "erin": ("erin-secret", ["customer"]),
    "mallory": ("mallory-secret", []),
    "loadtest": ("loadtest-secret", ["customer"]),
}


def _signing_key() -> rsa.RSAPrivateKey:
    if KEY_FILE.is_file():
        return serialization.load_pem_private_key(KEY_FILE.read_bytes(), password=None)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    KEY_FILE.write_bytes(pem)
    return key


KEY = _signing_key()
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
).decode()

app = FastAPI(title="idp", docs_url=None, redoc_url=None, openapi_url=None)


class TokenRequest(BaseModel):
    client_id: str
    client_secret: str
    expires_in: int = Field(default=300, ge=1, le=3600)


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/auth/token")
def token(body: TokenRequest) -> dict:
    known = CONSUMERS.get(body.client_id)
    if known is None or known[0] != body.client_secret:
        raise HTTPException(401, "unknown client or wrong secret")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": body.client_id,
        "roles": known[1],
        "iat": now,
        "exp": now + body.expires_in,
        "jti": uuid.uuid4().hex,
    }
    return {
        "access_token": jwt.encode(claims, KEY, algorithm="RS256"),
        "token_type": "Bearer",
        "expires_in": body.expires_in,
    }


@app.get("/auth/public-key", response_class=PlainTextResponse)
def public_key() -> str:
    return PUBLIC_PEM
