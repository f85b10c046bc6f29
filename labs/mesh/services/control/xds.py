"""Envoy configuration for one sidecar, built from the registry (who is in the mesh), the identities the CA
issues, the faults injected, and the policies of the exercises (mtls, authz, resilience, outlier, canary).

Everything here is plain JSON in Envoy's v3 API, served over REST: Envoy polls, compares versions, applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import authz
import mtls
import outlier
import resilience
from ca import Authority, Peer, spiffe_id

LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener"
ROUTES = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
TLS = "envoy.transport_sockets.tls"
DOWNSTREAM_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
UPSTREAM_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
FAULT = "envoy.filters.http.fault"
FAULT_TYPE = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"
RBAC = "envoy.filters.http.rbac"
RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"
RBAC_ROUTE_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute"
ROUTER = {
    "name": "envoy.filters.http.router",
    "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
}

MESH_PORT = 15006  # every sidecar's inbound listener: the only way into a service
OUTBOUND_PORT = 15001  # every sidecar's outbound listener, on 127.0.0.1: the app's way out
EDGE_PORT = 8080  # the ingress's listener for users
APP_PORT = 8080  # the app behind each sidecar, on 127.0.0.1 of their shared network namespace
INGRESS = "ingress"
ENTRY = "catalog"  # what the ingress routes users to
VERSIONED = {"pricing"}  # services whose versions get a cluster each (for the canary)


@dataclass(frozen=True)
class Node:
    id: str  # the instance, and its name on the lab network ("catalog-1")
    service: str  # "catalog"
    version: str = "v1"
    address: str = ""  # where its poll came from: the IP address of its network namespace


@dataclass
class Mesh:
    """What the control plane knows: instances (from their polls), faults, the canary's current weights."""

    ca: Authority
    nodes: dict[str, Node] = field(default_factory=dict)
    faults: dict[str, dict[str, Any]] = field(default_factory=dict)  # instance or service -> fault
    weights: dict[str, int] = field(default_factory=lambda: {"v1": 100, "v2": 0})
    by_header: str | None = None

    def services(self) -> dict[str, list[Node]]:
        out: dict[str, list[Node]] = {}
        for n in sorted(self.nodes.values(), key=lambda n: n.id):
            if n.service != INGRESS:
                out.setdefault(n.service, []).append(n)
        return out

    def clusters_of(self, service: str) -> dict[str, list[Node]]:
        """Cluster name -> instances: one cluster per version for versioned services, else one."""
        instances = self.services().get(service, [])
        if service in VERSIONED:
            versions = sorted({n.version for n in instances} | {"v1", "v2"})
            return {f"{service}-{v}": [n for n in instances if n.version == v] for v in versions}
        return {service: instances}

    # ---- the three resource types a sidecar polls -------------------------------------------------------
    def listeners(self, node: Node) -> list[dict[str, Any]]:
        if node.service == INGRESS:
            return [_http_listener("edge", "0.0.0.0", EDGE_PORT, "edge", forward_cert="SANITIZE")]
        inbound = _http_listener(
            "inbound",
            "0.0.0.0",
            MESH_PORT,
            "inbound",
            forward_cert="SANITIZE_SET",
            filters=[
                {"name": FAULT, "typed_config": {"@type": FAULT_TYPE}},
                {"name": RBAC, "typed_config": {"@type": RBAC_TYPE}},
            ],
        )
        tls = mtls.server_tls(self.ca.identity(node.service))
        if tls is not None:
            inbound["filter_chains"][0]["transport_socket"] = {
                "name": TLS,
                "typed_config": {"@type": DOWNSTREAM_TLS, **tls},
            }
        outbound = _http_listener("outbound", "127.0.0.1", OUTBOUND_PORT, "outbound", forward_cert="SANITIZE")
        return [inbound, outbound]

    def routes(self, node: Node, name: str) -> dict[str, Any]:
        if name == "inbound":
            route: dict[str, Any] = {
                "match": {"prefix": "/"},
                "route": {"cluster": "local_app", "timeout": "30s"},
                "typed_per_filter_config": {},
            }
            fault = self.faults.get(node.id) or self.faults.get(node.service)
            if fault:
                route["typed_per_filter_config"][FAULT] = _fault(fault)
            allowed = authz.allowed_callers(node.service)
            if allowed is not None:
                route["typed_per_filter_config"][RBAC] = _rbac(list(allowed))
            return {"name": name, "virtual_hosts": [{"name": "local", "domains": ["*"], "routes": [route]}]}
        if name == "edge":
            hosts = [{"name": "shop", "domains": ["*"], "routes": self._routes_to(ENTRY)}]
            return {"name": name, "virtual_hosts": hosts}
        hosts = [{"name": s, "domains": [s, f"{s}:*"], "routes": self._routes_to(s)} for s in sorted(self.services())]
        return {"name": name, "virtual_hosts": hosts}

    def _routes_to(self, service: str) -> list[dict[str, Any]]:
        policy = dict(resilience.route_policy(service) or {})
        clusters = list(self.clusters_of(service))
        out: list[dict[str, Any]] = []
        if service in VERSIONED:
            if self.by_header:
                out.append(
                    {
                        "match": {
                            "prefix": "/",
                            "headers": [{"name": self.by_header, "string_match": {"exact": "v2"}}],
                        },
                        "route": {"cluster": f"{service}-v2", **policy},
                    }
                )
            weighted = [{"name": c, "weight": int(self.weights.get(c.rsplit("-", 1)[1], 0))} for c in clusters]
            if sum(w["weight"] for w in weighted) <= 0:
                weighted[0]["weight"] = 100
            weighted = [w for w in weighted if w["weight"] > 0]
            action = {"weighted_clusters": {"clusters": weighted}, **policy}
            out.append({"match": {"prefix": "/"}, "route": action})
        else:
            out.append({"match": {"prefix": "/"}, "route": {"cluster": clusters[0], **policy}})
        return out

    def clusters(self, node: Node) -> list[dict[str, Any]]:
        out = []
        if node.service != INGRESS:
            out.append(_static_cluster("local_app", "127.0.0.1", APP_PORT))
        me = self.ca.identity(node.service)
        for service in sorted(self.services()):
            policy = dict(outlier.cluster_policy(service) or {})
            tls = mtls.client_tls(me, Peer(service, spiffe_id(service)))
            for cname, instances in self.clusters_of(service).items():
                endpoints = [
                    {
                        "endpoint": {
                            "hostname": n.id,
                            "address": {"socket_address": {"address": n.address, "port_value": MESH_PORT}},
                        }
                    }
                    for n in instances
                ]
                # The addresses come from the registry (each instance's own poll), not from DNS: a STATIC
                # cluster changes only when the mesh does (Envoy's EDS would do the same, in its own message).
                cluster = {
                    "name": cname,
                    "type": "STATIC",
                    "connect_timeout": "1s",
                    "load_assignment": {"cluster_name": cname, "endpoints": [{"lb_endpoints": endpoints}]},
                    **policy,
                }
                if tls is not None:
                    cluster["transport_socket"] = {"name": TLS, "typed_config": {"@type": UPSTREAM_TLS, **tls}}
                out.append(cluster)
        return out


def _http_listener(
    name: str, address: str, port: int, route: str, *, forward_cert: str, filters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    hcm: dict[str, Any] = {
        "@type": HCM,
        "stat_prefix": name,
        "codec_type": "AUTO",
        "rds": {
            "route_config_name": route,
            "config_source": {
                "resource_api_version": "V3",
                "api_config_source": {
                    "api_type": "REST",
                    "transport_api_version": "V3",
                    "cluster_names": ["xds"],
                    "refresh_delay": "1s",
                    "request_timeout": "2s",
                },
            },
        },
        "http_filters": [*(filters or []), ROUTER],
        # Who called, as the client certificate proves it: set on mTLS connections, dropped otherwise.
        "forward_client_cert_details": forward_cert,
    }
    if forward_cert == "SANITIZE_SET":
        hcm["set_current_client_cert_details"] = {"uri": True}
    return {
        "name": name,
        "address": {"socket_address": {"address": address, "port_value": port}},
        "filter_chains": [
            {"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}]}
        ],
    }


def _static_cluster(name: str, address: str, port: int) -> dict[str, Any]:
    return {
        "name": name,
        "type": "STATIC",
        "connect_timeout": "1s",
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": {"address": {"socket_address": {"address": address, "port_value": port}}}}
                    ]
                }
            ],
        },
    }


def _percent(value: float) -> dict[str, Any]:
    return {"numerator": round(value * 100), "denominator": "TEN_THOUSAND"}


def _fault(fault: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": FAULT_TYPE}
    if fault.get("abort_percent"):
        out["abort"] = {
            "http_status": int(fault.get("abort_status", 503)),
            "percentage": _percent(fault["abort_percent"]),
        }
    if fault.get("delay_percent"):
        out["delay"] = {
            "fixed_delay": f"{int(fault.get('delay_ms', 1000)) / 1000:.3f}s",
            "percentage": _percent(fault["delay_percent"]),
        }
    return out


def _rbac(allowed: list[str]) -> dict[str, Any]:
    principals = [{"authenticated": {"principal_name": {"exact": str(p)}}} for p in allowed]
    policies = {"allowed-callers": {"permissions": [{"any": True}], "principals": principals}} if principals else {}
    return {"@type": RBAC_ROUTE_TYPE, "rbac": {"rules": {"action": "ALLOW", "policies": policies}}}
