"""Exercise mesh.mtls: the TLS settings of every sidecar (Envoy's DownstreamTlsContext / UpstreamTlsContext).

The control plane calls these for each sidecar and puts what they return into its configuration:
- server_tls(me): how `me`'s sidecar accepts calls on its mesh port (15006);
- client_tls(me, upstream): how `me`'s sidecar calls `upstream`'s sidecars.
`me` has .name, .spiffe_id, .cert_pem, .key_pem and .ca_pem (the mesh's root); `upstream` has .name and
.spiffe_id. Returning None means plain text, which is what the mesh does as shipped.
"""


def server_tls(me):
    return None


def client_tls(me, upstream):
    return None
