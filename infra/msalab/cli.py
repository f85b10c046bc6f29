"""The `msalab` command: doctor | list | images | up | down | status | logs | check | hint | progress | solve |
grade | release | editions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from msalab import __version__, error_messages, labels
from msalab.errors import MsalabError

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except MsalabError as e:
        print(f"msalab: {error_messages.shown(e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("msalab: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`msalab list | head`): stop quietly, as other command-line tools do
        # (the recipe of Python's signal docs: point stdout at devnull so the exit flush cannot fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="msalab", description="Labs of real containers for the msalab course.")
    p.add_argument("--version", action="version", version=f"msalab {__version__}")
    sub = p.add_subparsers(metavar="COMMAND")

    def command(name: str, handler: Handler, help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(handler=handler)
        return sp

    command("doctor", cmd_doctor, "Check the Docker engine, the images and leftovers; say what to do about each.")
    command("list", cmd_list, "List the labs, their services and published ports.")

    sp = command("up", cmd_up, "Start a lab; it stays up until `msalab down`.")
    sp.add_argument("lab")
    sp.add_argument(
        "--port",
        action="append",
        default=[],
        metavar="SERVICE.PORT=N",
        help="a fixed host port instead of a free one, e.g. --port front.http=8080",
    )

    sp = command("down", cmd_down, "Remove a lab's containers and network.")
    sp.add_argument("lab", nargs="?")
    sp.add_argument("--all", action="store_true", help="every msalab lab on this engine, leftovers included")

    sp = command("status", cmd_status, "Show running labs and where to reach them.")
    sp.add_argument("--json", action="store_true", help="machine-readable output")

    sp = command("logs", cmd_logs, "Show a lab service's logs.")
    sp.add_argument("lab")
    sp.add_argument("service")
    sp.add_argument("--tail", type=int, default=100)

    from msalab.cli_course import add_course_commands
    from msalab.cli_editions import add_editions_command
    from msalab.cli_images import add_images_command

    add_images_command(sub)
    add_course_commands(sub)
    add_editions_command(sub)
    return p


# ---- handlers -----------------------------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace) -> int:
    from msalab.doctor import run_checks

    problems = 0
    for check in run_checks():
        mark = "ok  " if check.ok else "FAIL"
        print(f"[{mark}] {check.message}")
        problems += not check.ok
    print("All good: start with `msalab up hello`." if not problems else f"{problems} problem(s) to fix.")
    return 0 if not problems else 1


def cmd_list(args: argparse.Namespace) -> int:
    from msalab.topology import available_labs, load_lab

    for name in available_labs():
        spec = load_lab(name)
        print(f"{name}: {spec.title}")
        for s in spec.services.values():
            published = ", ".join(f"{s.name}.{p.name} ({p.port})" for p in s.publish) or "not published"
            print(f"  {s.name:<14} image {s.image:<16} {published}")
    return 0


def cmd_up(args: argparse.Namespace) -> int:
    from msalab import runtime

    overrides = {}
    for item in args.port:
        key, _, value = item.partition("=")
        if not value.isdigit():
            raise MsalabError(f"--port wants SERVICE.PORT=NUMBER, not '{item}'.")
        overrides[key] = int(value)
    lab = runtime.up(args.lab, mode="shell", port_overrides=overrides)
    print(repr(lab))
    print(f"Stop it with `msalab down {lab.name}`.")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    from msalab import cleanup

    if not args.all and not args.lab:
        raise MsalabError("Name a lab to remove, or use --all for every msalab lab on this engine.")
    removed = cleanup.remove(None if args.all else args.lab)
    print(f"Removed {removed.containers} container(s) and {removed.networks} network(s).")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    running = running_labs()
    if args.json:
        print(json.dumps(running, indent=2))
        return 0
    if not running:
        print("No lab is running.")
    for lab in running:
        print(f"{lab['lab']} (session {lab['session']}, {lab['mode']})")
        for name, svc in lab["services"].items():
            urls = ", ".join(e["url"] for e in svc["endpoints"].values()) or "lab network only"
            print(f"  {name:<14} {svc['state']:<10} {urls}")
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    from msalab.lab import Lab

    print(Lab.from_engine(args.lab).logs(args.service, tail=args.tail), end="")
    return 0


def running_labs() -> list[dict[str, object]]:
    from msalab import engine

    grouped: dict[tuple[str, str], dict[str, object]] = {}
    for c in engine.client().containers.list(all=True, filters=labels.filters()):
        key = (c.labels[labels.LAB], c.labels[labels.SESSION])
        entry = grouped.setdefault(
            key, {"lab": key[0], "session": key[1], "mode": c.labels.get(labels.MODE, "?"), "services": {}}
        )
        services = entry["services"]
        assert isinstance(services, dict)
        services[c.labels.get(labels.SERVICE, c.name)] = {
            "state": c.status,
            "endpoints": json.loads(c.labels.get(labels.ENDPOINTS, "{}")),
        }
    return [grouped[k] for k in sorted(grouped)]


if __name__ == "__main__":
    sys.exit(main())
