"""Exercise mesh.resilience: timeouts and retries on the routes to a service.

route_policy(upstream) returns fields of Envoy's RouteAction for every route that leads to `upstream`
("catalog" from the ingress, "pricing" from catalog), e.g. {"timeout": "2s", "retry_policy": {...}}.
As shipped: Envoy's defaults, a 15 s timeout and no retries.
"""


def route_policy(upstream):
    return {}
