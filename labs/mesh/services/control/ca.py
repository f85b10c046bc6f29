"""A tiny certificate authority: one root, and for each service a short-lived certificate whose only name is
its SPIFFE identity (a URI SAN such as spiffe://mesh.local/ns/shop/sa/pricing).

The root is made once and kept on the container's disk (/var/lib/mesh-ca), so a restarted control plane
(after an answer is deployed) issues certificates that the sidecars already trust.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TRUST_DOMAIN = "mesh.local"
NAMESPACE = "shop"
STORE = Path("/var/lib/mesh-ca")
LEAF_DAYS = 2


def spiffe_id(service: str) -> str:
    return f"spiffe://{TRUST_DOMAIN}/ns/{NAMESPACE}/sa/{service}"


@dataclass(frozen=True)
class Identity:
    """Who a sidecar is: its service name, SPIFFE ID, certificate and key (PEM), and the mesh's root (PEM)."""

    name: str
    spiffe_id: str
    cert_pem: str
    key_pem: str
    ca_pem: str


@dataclass(frozen=True)
class Peer:
    """Who a sidecar calls: a service name and the SPIFFE ID its certificate must carry."""

    name: str
    spiffe_id: str


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make_root(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(
    ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, uri: str, dns: str | None = None
) -> tuple[str, str]:
    """A leaf certificate for `uri` (and a DNS name), signed by the root: (cert PEM, key PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    names: list[x509.GeneralName] = [x509.UniformResourceIdentifier(uri)]
    if dns:
        names.append(x509.DNSName(dns))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH, x509.ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode(), _pem_key(key).decode()


class Authority:
    def __init__(self, store: Path = STORE) -> None:
        store.mkdir(parents=True, exist_ok=True)
        key_file, cert_file = store / "root.key", store / "root.pem"
        if not key_file.exists():
            key, cert = make_root("msalab mesh root")
            key_file.write_bytes(_pem_key(key))
            cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        loaded = serialization.load_pem_private_key(key_file.read_bytes(), None)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        self.key = loaded
        self.cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        self.ca_pem = cert_file.read_text()
        self.store = store
        self._issued: dict[str, Identity] = {}

    def identity(self, service: str) -> Identity:
        """The service's identity; issued once and kept on disk, so restarts change no certificate."""
        if service not in self._issued:
            cert_file, key_file = self.store / f"{service}.pem", self.store / f"{service}.key"
            if not cert_file.exists():
                cert, key = issue(self.key, self.cert, spiffe_id(service), service)
                key_file.write_text(key)
                cert_file.write_text(cert)
            self._issued[service] = Identity(
                service, spiffe_id(service), cert_file.read_text(), key_file.read_text(), self.ca_pem
            )
        return self._issued[service]
