"""Promote a model version from dev-staging to production across servers or stores.

    python scripts/promote_cross_workspace.py --model breast_cancer_classifier --stage staging
    python scripts/promote_cross_workspace.py --model NAME --version 7 \\
        --source http://127.0.0.1:8271 --dest http://127.0.0.1:8272 --approved-by alice

A source or destination is a ZenML server URL (a kit local server, another server, a ZenML Pro
workspace URL) or a local store folder. Without --source/--dest the sides follow --mode
(``KIT_MODE``): ``embedded`` uses two local stores in state/zenml/, ``servers`` the two local
servers of scripts/servers.py. The bundle is signed with the exporter's Ed25519 private key
``KIT_BUNDLE_SIGNING_KEY``; production checks it with its trusted public keys
``KIT_BUNDLE_TRUSTED_KEYS`` (when both are unset, a local key pair is generated once into
state/secrets/; no key is ever printed). Production only moves forward: an older or stale
bundle is refused, and scripts/rollback.py is the way back. Exit codes: 0 promoted (or already
promoted), 1 refused or failed (one line on stderr), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys

from governance.bundle import KEY_ENV_VAR, BundleError, signing_key
from governance.release.endpoints import MODES, endpoint, side_endpoint
from governance.release.errors import ReleaseError
from lib.config import STATE_DIR


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="model name in the Model Control Plane")
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--version", help="source version number")
    chosen.add_argument("--stage", choices=["staging"], help="the source version in this stage")
    parser.add_argument("--source", help="dev-staging server URL or store folder")
    parser.add_argument("--dest", help="production server URL or store folder")
    parser.add_argument("--mode", choices=MODES, help="where the sides are by default")
    parser.add_argument("--approved-by", help="who approved the release (recorded in the ledger)")
    parser.add_argument("--release-tag", help="the release that triggered it (GitOps)")
    args = parser.parse_args(argv)

    from governance.release.promote import promote_across  # imports ZenML

    if not os.environ.get(KEY_ENV_VAR):
        signing_key(STATE_DIR, create=True)  # local use: a key generated once, git-ignored
    source = (
        endpoint(args.source, "dev-staging", STATE_DIR)
        if args.source
        else side_endpoint("dev-staging", args.mode, STATE_DIR)
    )
    dest = (
        endpoint(args.dest, "production", STATE_DIR)
        if args.dest
        else side_endpoint("production", args.mode, STATE_DIR)
    )
    try:
        result = promote_across(
            args.model,
            source,
            dest,
            STATE_DIR,
            version=args.version,
            stage=args.stage,
            approved_by=args.approved_by,
            release_tag=args.release_tag,
        )
    except (ReleaseError, BundleError, ValueError) as error:  # one line, non-zero exit
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 1
    for note in result.recovered:
        print(f"note: {note}")
    print(result.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
