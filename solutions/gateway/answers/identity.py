import jwt
from upstreams import idp_public_key

ISSUER = "shop-idp"
AUDIENCE = "shop-api"
# Only the gateway may say who is calling: these never come from a client.
IDENTITY_HEADERS = ("x-user", "x-roles")


def identify(authorization: str | None) -> dict | None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        # The algorithm is pinned: a token that says "alg: none" or "HS256" is not even considered.
        claims = jwt.decode(token, idp_public_key(), algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.InvalidTokenError:  # bad signature, expired, wrong audience or issuer, garbage
        return None
    return {"sub": claims["sub"], "roles": list(claims.get("roles", []))}


def trusted_headers(incoming: dict[str, str], who: dict) -> dict[str, str]:
    smuggled = ("x-user", "x-roles", "x_user", "x_roles")
    headers = {k: v for k, v in incoming.items() if not k.startswith(smuggled) and k != "authorization"}
    headers["x-user"] = who["sub"]
    headers["x-roles"] = ",".join(who["roles"])
    return headers
