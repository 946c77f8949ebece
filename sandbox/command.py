"""`perfbot sandbox ...`: build the offline base image and the sandbox image, build perfbot's own image, reap.

perfbot sandbox build          the sandbox image, and the offline base first when it is missing (idempotent)
perfbot sandbox build-base     only the offline base image (debootstrap → docker import)
perfbot sandbox build-perfbot  the image that runs perfbot itself, from a wheelhouse built on this host
perfbot sandbox reap           remove containers and volumes left behind by killed or expired runs
"""

from __future__ import annotations

import argparse
import sys

from sandbox.base import SandboxError
from sandbox.docker import connect
from sandbox.images import BASE_IMAGE, DEFAULT_MIRROR, build_base_image, ensure_sandbox_image, sandbox_image_name
from sandbox.perfbot_image import PERFBOT_IMAGE, build_perfbot_image
from sandbox.reaper import reap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the sandbox image (and the offline base) if missing or stale")
    build.add_argument("--base-image", help=f"base to build FROM instead of {BASE_IMAGE} (e.g. python:3.12-slim)")
    build.add_argument("--tag", help="sandbox image name (default: $PERFBOT_SANDBOX_IMAGE or perfbot/sandbox:latest)")
    build.add_argument("--force", action="store_true", help="rebuild the sandbox image even when it is up to date")
    build.add_argument(
        "--mirror", default=DEFAULT_MIRROR, help="Debian mirror for the base image (default: %(default)s)"
    )
    base = actions.add_parser("build-base", help="build the base image from Debian packages, with no registry")
    base.add_argument("--tag", default=BASE_IMAGE, help="base image name (default: %(default)s)")
    base.add_argument("--suite", default="bookworm", help="Debian release (default: %(default)s)")
    base.add_argument("--mirror", default=DEFAULT_MIRROR, help="Debian mirror or apt proxy (default: %(default)s)")
    own = actions.add_parser("build-perfbot", help="build the image that runs perfbot (bot server, CI job)")
    own.add_argument("--base-image", default=BASE_IMAGE, help="base to build FROM (default: %(default)s)")
    own.add_argument("--tag", default=PERFBOT_IMAGE, help="image name (default: %(default)s)")
    actions.add_parser("reap", help="remove perfbot containers and volumes whose run is over")


def run(args: argparse.Namespace) -> int:
    client = connect()
    if args.action == "build":
        outcome = ensure_sandbox_image(
            client,
            base_image=args.base_image,
            tag=args.tag or sandbox_image_name(),
            force=args.force,
            mirror=args.mirror,
        )
        state = f"built {', '.join(outcome.built)}" if outcome.built else "up to date"
        print(f"sandbox image {outcome.sandbox} (from {outcome.base}): {state}")
    elif args.action == "build-base":
        build_base_image(client, tag=args.tag, suite=args.suite, mirror=args.mirror)
    elif args.action == "build-perfbot":
        build_perfbot_image(client, base=args.base_image, tag=args.tag)
    elif args.action == "reap":
        reaped = reap(client)
        print(f"removed {len(reaped.containers)} container(s), {len(reaped.volumes)} volume(s)")
        for name in reaped.containers + reaped.volumes:
            print(f"  {name}")
    else:
        raise SandboxError(f"unknown action {args.action!r}")
    sys.stdout.flush()
    return 0
