"""`msalab images`: report, build (official or offline), export and import for a classroom without internet."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_images_command(sub: Any) -> None:
    p = sub.add_parser(
        "images",
        help="Show, build, export or import the lab images.",
        description="Show which lab images are here; build, export or import them.",
    )
    p.set_defaults(handler=cmd_report)
    isub = p.add_subparsers(metavar="ACTION")

    b = isub.add_parser("build", help="Build (or pull) the images the labs use.")
    b.add_argument("keys", nargs="*", help="image keys (default: every image a lab uses)")
    mode = b.add_mutually_exclusive_group()
    mode.add_argument(
        "--offline",
        dest="mode",
        action="store_const",
        const="offline",
        help="build equivalents with no container registry at all",
    )
    mode.add_argument(
        "--official",
        dest="mode",
        action="store_const",
        const="official",
        help="pull the official images and build ours on top of them",
    )
    b.set_defaults(mode="auto", handler=cmd_build)
    b.add_argument("--force", action="store_true", help="rebuild images that are already here")
    b.add_argument("--all", action="store_true", help="every image of the catalog, not only those labs use")

    e = isub.add_parser("export", help="Save every lab image into one file (docker save).")
    e.add_argument("file", type=Path)
    e.set_defaults(handler=cmd_export)

    i = isub.add_parser("import", help="Load images from a file made by `msalab images export`.")
    i.add_argument("file", type=Path)
    i.set_defaults(handler=cmd_import)


def lab_image_keys() -> list[str]:
    from msalab.topology import available_labs, load_lab

    return sorted({s.image for name in available_labs() for s in load_lab(name).services.values()})


def cmd_report(args: argparse.Namespace) -> int:
    from msalab import imagebuild

    missing = 0
    for st in imagebuild.report():
        here = "present" if st.resolved_present else "MISSING"
        missing += not st.resolved_present
        print(f"{st.key:<16} {here:<8} {st.resolved}")
    if missing:
        print("Build what is missing with `msalab images build` (add --offline with no registry).")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from msalab import imagebuild
    from msalab.images import catalog

    keys = args.keys or (sorted(catalog()) if args.all else lab_image_keys())
    results = imagebuild.build(keys, mode=args.mode, force=args.force)
    for r in results:
        print(f"{r.key:<16} {r.action:<8} {r.ref}  ({r.seconds:.1f} s)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from msalab import imagebuild

    path = imagebuild.export_images(args.file, lab_image_keys())
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.0f} MB); load it elsewhere with `msalab images import`.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from msalab import imagebuild

    for ref in imagebuild.import_images(args.file):
        print(f"loaded {ref}")
    return 0
