"""Roll production back to the previous production version (from the ledger), or to --to V.

    python scripts/rollback.py --model breast_cancer_classifier
    python scripts/rollback.py --model NAME --to dev-staging-v3 --dest http://127.0.0.1:8272

This is the one way back: production refuses to import an older bundle. The current version is
archived (never deleted); the ledger records a ``rollback`` (and the archived version's own
``rolled_back`` entry) before any stage changes, and an import a crash interrupted is settled
first. With
--source (or by default, when the dev-staging side is reachable) the dev-staging side's record
of the live version follows. Exit codes: 0 rolled back, 1 refused or failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys

from governance.release.endpoints import MODES, endpoint, side_endpoint
from governance.release.errors import ReleaseError
from lib.config import STATE_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--to", help="production version name to restore (default: previous)")
    parser.add_argument("--dest", help="production server URL or store folder")
    parser.add_argument("--source", help="dev-staging server URL or store folder to mirror on")
    parser.add_argument("--no-mirror", action="store_true", help="leave dev-staging untouched")
    parser.add_argument("--mode", choices=MODES, help="where the sides are by default")
    args = parser.parse_args(argv)

    from governance.release.promote import rollback_production  # imports ZenML

    dest = (
        endpoint(args.dest, "production", STATE_DIR)
        if args.dest
        else side_endpoint("production", args.mode, STATE_DIR)
    )
    source = None
    if not args.no_mirror:
        source = (
            endpoint(args.source, "dev-staging", STATE_DIR)
            if args.source
            else side_endpoint("dev-staging", args.mode, STATE_DIR)
        )
    try:
        result = rollback_production(args.model, dest, to=args.to, source=source)
    except ReleaseError as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    for note in result.get("recovered") or []:
        print(f"note: {note}")
    mirrored = f"; dev-staging now records v{result['source_version']}" if source else ""
    print(f"{args.model}: production rolled back from {result['from']} to {result['to']}{mirrored}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
