"""Exercise mesh.authz: which identities may call which service.

allowed_callers(service) returns the SPIFFE IDs allowed to call `service` through its sidecar, or None for
"anyone". The control plane turns a list into an RBAC policy on the service's sidecars: every other caller
gets 403 before the service sees the request. As shipped anyone may call anything.
"""


def allowed_callers(service):
    return None
