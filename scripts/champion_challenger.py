"""Compare the production champion with the staging challenger and print a recommendation.

    python scripts/champion_challenger.py
    python scripts/champion_challenger.py --model breast_cancer_classifier_ada --json

Both versions score the challenger's held-out rows; the report gives the agreement rate,
mean and max |Δ probability|, metric deltas, McNemar's exact p-value and a recommendation
from the policy (``promote``, ``review`` or ``keep``) with its reasons. With no champion the
recommendation rests on the production gates alone. Exit code 0 for ``promote``, 3 for
``review``, 4 for ``keep``, 2 on bad arguments or a missing challenger.
"""

from __future__ import annotations

import argparse
import json
import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)
from lib.config import MODEL_NAME

EXIT_CODES = {"promote": 0, "review": 3, "keep": 4}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=MODEL_NAME, help=f"model name (default {MODEL_NAME})")
    parser.add_argument("--champion", default="production", help="version or stage")
    parser.add_argument("--challenger", default="staging", help="version or stage")
    parser.add_argument("--json", action="store_true", help="print comparison and recommendation")
    args = parser.parse_args(argv)

    from lib.pipelines import compare_champion_challenger  # imports ZenML

    try:
        report = compare_champion_challenger(args.model, args.champion, args.challenger)
    except KeyError as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "champion_version": report.champion_version,
                    "challenger_version": report.challenger_version,
                    "comparison": report.comparison,
                    "recommendation": report.recommendation,
                },
                indent=2,
            )
        )
    else:
        print(report._repr_markdown_().replace("**", ""))
    return EXIT_CODES[report.recommendation["decision"]]


if __name__ == "__main__":
    sys.exit(main())
