"""Pulling an image from the registry over its HTTP API (the OCI distribution spec), with digests verified."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ACCEPT = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"


@dataclass(frozen=True)
class Image:
    ref: str  # as asked for: registry:5000/shop:TAG or registry:5000/shop@sha256:...
    digest: str  # the manifest's digest: what the reference pointed at when it was pulled
    revision: str  # the commit it was built from (its org.opencontainers.image.revision label)
    cmd: list[str]


def split(ref: str) -> tuple[str, str, str]:
    """registry:5000/shop@sha256:ab.. or registry:5000/shop:tag -> (http://registry:5000, shop, reference)."""
    host, _, rest = ref.partition("/")
    if "@" in rest:
        name, _, reference = rest.partition("@")
    else:
        name, _, reference = rest.partition(":")
    return f"http://{host}", name, reference or "latest"


def _get(url: str, accept: str | None = None) -> tuple[bytes, dict[str, str]]:
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=20) as r:
        return r.read(), dict(r.headers)


def _verified(data: bytes, digest: str) -> bytes:
    if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
        raise ValueError(f"content does not match its digest {digest}")
    return data


def pull(ref: str, into: Path) -> Image:
    """Fetch the image's manifest, config and layers and unpack the layers into `into`."""
    base, name, reference = split(ref)
    raw, headers = _get(f"{base}/v2/{name}/manifests/{reference}", ACCEPT)
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    if reference.startswith("sha256:"):
        _verified(raw, reference)  # a digest names exactly one manifest: anything else is refused
    manifest = json.loads(raw)
    config = json.loads(_verified(_get(f"{base}/v2/{name}/blobs/{manifest['config']['digest']}")[0],
                                  manifest["config"]["digest"]))
    into.mkdir(parents=True, exist_ok=True)
    for layer in manifest["layers"]:
        blob = _verified(_get(f"{base}/v2/{name}/blobs/{layer['digest']}")[0], layer["digest"])
        with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))) as tar:
            for member in tar.getmembers():  # only plain files inside `into` (Debian's 3.11.2 has no filter=)
                if not member.isfile() or member.name.startswith("/") or ".." in Path(member.name).parts:
                    raise ValueError(f"refusing layer entry {member.name!r}")
            tar.extractall(into)
    inner = config.get("config", {})
    revision = inner.get("Labels", {}).get("org.opencontainers.image.revision", "unknown")
    return Image(ref, digest, revision, inner.get("Cmd") or [])
