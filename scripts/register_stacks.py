"""Register the local dev and staging ZenML stacks (re-runnable).

    python scripts/register_stacks.py                 # register or converge kit-dev, kit-staging
    python scripts/register_stacks.py --activate dev  # and make kit-dev the active stack

Artifact stores get explicit absolute paths under the kit's state folder, so every client on
this machine (notebook kernels, scripts, a local server) can load every artifact.
"""

from __future__ import annotations

import argparse
import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)
from lib.config import STATE_DIR

LOCAL_ENVIRONMENTS = ("dev", "staging")
"""governance.stacks.LOCAL_ENVIRONMENTS, without importing ZenML to parse the arguments."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activate", choices=LOCAL_ENVIRONMENTS, help="stack to make active")
    args = parser.parse_args(argv)

    from zenml.client import Client

    from governance.stacks import register_local_stacks

    for info in register_local_stacks(STATE_DIR):
        verb = "registered" if info.created else "up to date"
        print(f"{info.stack_name}: {verb} (artifact store {info.artifact_store_path})")
    if args.activate:
        Client().activate_stack(f"kit-{args.activate}")
        print(f"active stack: kit-{args.activate}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
