"""Write the audit pack of a model version: one self-contained HTML file.

    python scripts/audit_report.py --version 3
    python scripts/audit_report.py --model breast_cancer_classifier_ada --version staging

The pack holds the model card, metrics against the policy's thresholds, gate results, the
promotion ledger, the last champion/challenger recommendation, the lineage graph, the git
commit and the data hash. It goes to ``state/build/audit/`` unless ``--output-dir`` says
otherwise. Exit code 0 when written, 2 on bad arguments or an unknown version.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lib  # noqa: F401  (points ZenML at the kit's state folder)
from lib.config import MODEL_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=MODEL_NAME, help=f"model name (default {MODEL_NAME})")
    parser.add_argument("--version", required=True, help="version number, name or stage")
    parser.add_argument("--output-dir", type=Path, help="folder for the HTML file")
    args = parser.parse_args(argv)

    from lib.display.registry import audit_pack  # imports ZenML: after the arguments are parsed

    try:
        pack = audit_pack(args.model, args.version, args.output_dir)
    except KeyError as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    print(pack.path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
