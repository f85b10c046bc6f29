"""Exercise mesh.outlier: circuit breaking and outlier detection on the clusters that lead to a service.

cluster_policy(upstream) returns fields of Envoy's Cluster for the clusters of `upstream` (the ingress's
"catalog", catalog's "pricing-v1" and "pricing-v2"), e.g. {"outlier_detection": {...},
"circuit_breakers": {...}}. As shipped: nothing, so a failing instance keeps its share of the traffic.
"""


def cluster_policy(upstream):
    return {}
