"""Build the shop's image and push it to a registry, with the Python standard library only.

    python3 ci/ocibuild.py --registry registry:5000 --name shop --tag COMMIT --revision COMMIT app

The image is one OCI layer holding the source folder, and a config that says how to run it and which commit it
was built from (the label org.opencontainers.image.revision). Production's slots run it on the Python base they
already have, so a build is seconds and no Docker socket is needed inside the CI. The layer is reproducible
(sorted files, fixed times and owners): the same source gives the same digest, whoever builds it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.client
import io
import json
import tarfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def layer(source: Path) -> tuple[bytes, str]:
    """The folder as a gzipped tar under its own name (app/...), and the digest of the uncompressed tar."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            info = tarfile.TarInfo(str(Path(source.name) / path.relative_to(source)))
            data = path.read_bytes()
            info.size, info.mode, info.mtime, info.uid, info.gid = len(data), 0o644, 0, 0, 0
            tar.addfile(info, io.BytesIO(data))
    plain = raw.getvalue()
    return gzip.compress(plain, mtime=0), "sha256:" + hashlib.sha256(plain).hexdigest()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(
    method: str, url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    return urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers or {}), timeout=30)


def push_blob(base: str, name: str, data: bytes) -> str:
    d = digest(data)
    try:
        request("HEAD", f"{base}/v2/{name}/blobs/{d}")
        return d  # already there: content-addressed, so never uploaded twice
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
    with request("POST", f"{base}/v2/{name}/blobs/uploads/", b"") as started:
        location = urllib.parse.urljoin(base, started.headers["Location"])
    sep = "&" if "?" in location else "?"
    request("PUT", f"{location}{sep}digest={d}", data, {"Content-Type": "application/octet-stream"}).close()
    return d


def build_and_push(registry: str, name: str, tags: list[str], source: Path, revision: str) -> str:
    base = registry if "://" in registry else f"http://{registry}"
    blob, diff_id = layer(source)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Cmd": ["python3", "-m", "uvicorn", "app.app:api", "--host", "0.0.0.0", "--port", "8000"],
                "Labels": {"org.opencontainers.image.revision": revision},
            },
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        },
        sort_keys=True,
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {"mediaType": CONFIG, "digest": push_blob(base, name, config), "size": len(config)},
            "layers": [{"mediaType": LAYER, "digest": push_blob(base, name, blob), "size": len(blob)}],
        },
        sort_keys=True,
    ).encode()
    for tag in tags:
        request("PUT", f"{base}/v2/{name}/manifests/{tag}", manifest, {"Content-Type": MANIFEST}).close()
    return digest(manifest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--tag", action="append", required=True)
    parser.add_argument("--revision", required=True)
    parser.add_argument("source", type=Path)
    args = parser.parse_args()
    pushed = build_and_push(args.registry, args.name, args.tag, args.source, args.revision)
    print(f"pushed {args.registry}/{args.name}@{pushed} as {', '.join(args.tag)}")


if __name__ == "__main__":
    main()
