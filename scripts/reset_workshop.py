"""Reset the kit for the next cohort: deployments, ZenML state, build output; servers with --all.

    python scripts/reset_workshop.py --dry-run  # say what would happen, change nothing
    python scripts/reset_workshop.py            # stop deployments, remove state/zenml, state/build
    python scripts/reset_workshop.py --all      # also stop the servers and empty state/ entirely

It only ever touches the kit's state folder (``state/``, or ``KIT_STATE_DIR`` when that folder
carries a ``.kit-state`` marker) and refuses anything else. Exit code 0 on success, 2 on refusal.
"""

from __future__ import annotations

import argparse
import sys

import lib  # noqa: F401  (resolves the kit's state folder)
from lib.workshop.reset import ResetRefused, apply_reset, state_dir_from_environment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="describe, change nothing")
    parser.add_argument("--all", action="store_true", help="also stop servers, empty all state")
    args = parser.parse_args(argv)
    state_dir = state_dir_from_environment()
    try:
        lines = apply_reset(state_dir, include_all=args.all, dry_run=args.dry_run)
    except ResetRefused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    if not args.dry_run:
        print("next: make setup (or make kit) initialises a fresh store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
