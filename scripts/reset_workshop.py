"""Reset the kit for the next cohort: the servers' learner data, or local state.

    python scripts/reset_workshop.py --cohort            # empty the running servers, keep them up
    python scripts/reset_workshop.py --cohort --dry-run  # count what would go, change nothing
    python scripts/reset_workshop.py --dry-run  # say what a local reset would do, change nothing
    python scripts/reset_workshop.py            # stop deployments, remove state/zenml, state/build
    python scripts/reset_workshop.py --all      # also stop the servers and empty state/ entirely

``--cohort`` deletes the learners' models, every pipeline run and the artifacts left without a
run on each running kit server (dev-staging and production), as the side's admin; the servers,
their stacks and accounts stay up for the next room. The local reset only ever touches the kit's
state folder (``state/``, or ``KIT_STATE_DIR`` when that folder carries a ``.kit-state`` marker)
and refuses anything else. Exit code 0 on success, 2 on refusal.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dry-run", action="store_true", help="describe, change nothing")
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--cohort", action="store_true", help="empty the running servers and keep them up"
    )
    what.add_argument("--all", action="store_true", help="also stop servers, empty all state")
    args = parser.parse_args(argv)

    import lib  # noqa: F401  (resolves the kit's state folder)
    from workshop.reset import ResetRefused, apply_reset, reset_cohort, state_dir_from_environment

    state_dir = state_dir_from_environment()
    try:
        if args.cohort:
            lines = reset_cohort(state_dir, dry_run=args.dry_run)
        else:
            lines = apply_reset(state_dir, include_all=args.all, dry_run=args.dry_run)
    except ResetRefused as refusal:
        print(f"refused: {refusal}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    if not args.dry_run and not args.cohort:
        print("next: make setup (or make kit) initialises a fresh store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
