# Both ends prove who they are with a certificate from the mesh's CA, and both check the other's.
def _my_certificate(me):
    return {"certificate_chain": {"inline_string": me.cert_pem}, "private_key": {"inline_string": me.key_pem}}


def server_tls(me):
    return {
        "require_client_certificate": True,  # no certificate, no connection (say it, though a CA implies it)
        "common_tls_context": {
            "tls_certificates": [_my_certificate(me)],
            "validation_context": {
                "trusted_ca": {"inline_string": me.ca_pem},  # only the mesh's CA vouches for callers
                # and only for identities of this mesh
                "match_typed_subject_alt_names": [{"san_type": "URI", "matcher": {"prefix": "spiffe://mesh.local/"}}],
            },
        },
    }


def client_tls(me, upstream):
    return {
        "sni": upstream.name,
        "common_tls_context": {
            "tls_certificates": [_my_certificate(me)],
            "validation_context": {
                "trusted_ca": {"inline_string": me.ca_pem},
                # the callee must be who we meant to call, not just anyone with a mesh certificate
                "match_typed_subject_alt_names": [{"san_type": "URI", "matcher": {"exact": upstream.spiffe_id}}],
            },
        },
    }
