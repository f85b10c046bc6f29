# Least privilege: each service names the only identity that has a reason to call it.
MESH = "spiffe://mesh.local/ns/shop/sa/"
ALLOWED = {
    "catalog": [MESH + "ingress"],
    "pricing": [MESH + "catalog"],
}


def allowed_callers(service):
    return ALLOWED.get(service, [])  # a service nobody needs to call gets no callers at all
