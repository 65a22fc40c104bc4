"""Promote a model version to a stage if the policy's gates pass; record the decision either way.

    python scripts/promote_model.py --version 3 --reason "best F1 this sprint"
    python scripts/promote_model.py --model breast_cancer_classifier_ada --version 2 \\
        --stage staging --reason "workshop" --actor ada

Every decision, promoted or refused, is appended to the model's promotion ledger with who
(``--actor``, else the CI user, else the OS user), when, the gates with their values and
thresholds, the git commit and the reason. Exit code 0 when promoted, 1 when refused (every
failing gate is printed and no stage changes), 2 on bad arguments or an unknown version.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)
from lib.config import MODEL_NAME

STAGES = ("staging", "production")
"""governance.promotion.STAGES, without importing ZenML to parse the arguments."""


def _as_json(entry) -> str:
    return json.dumps(entry.model_dump(mode="json"), indent=2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=MODEL_NAME, help=f"model name (default {MODEL_NAME})")
    parser.add_argument("--version", required=True, help="version number or name")
    parser.add_argument("--stage", default="staging", choices=STAGES)
    parser.add_argument("--reason", required=True, help="why: recorded in the ledger")
    parser.add_argument("--actor", help="who asks (default: CI user, else the OS user)")
    parser.add_argument("--approved-by", help="who approved, when a human approved first")
    parser.add_argument("--release-tag", help="the release that triggered this promotion")
    parser.add_argument("--json", action="store_true", help="print the ledger entry as JSON")
    args = parser.parse_args(argv)

    from governance.promotion import PromotionRefused, promote  # imports ZenML

    try:
        decision = promote(
            args.model,
            args.version,
            args.stage,
            reason=args.reason,
            actor=args.actor,
            source="ci" if os.environ.get("CI") else "cli",
            approved_by=args.approved_by,
            release_tag=args.release_tag,
        )
    except PromotionRefused as refusal:
        print(_as_json(refusal.decision.entry) if args.json else refusal)
        return 1
    except KeyError as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    entry = decision.entry
    if args.json:
        print(_as_json(entry))
    else:
        replaced = (
            f"; v{entry.previous_holder} {entry.previous_holder_action}d"
            if entry.previous_holder
            else ""
        )
        print(
            f"promoted {entry.model} v{entry.version}: {entry.from_stage} -> {entry.to_stage} "
            f"(ledger entry {entry.sequence}, by {entry.actor}{replaced})"
        )
        for gate in decision.gates:
            print(f"  {gate.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
