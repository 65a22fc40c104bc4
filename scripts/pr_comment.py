"""Print the markdown PR comment for a model version: metrics, gates, promotion decisions.

python scripts/pr_comment.py --model breast_cancer_classifier [--version latest] [--out F]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import lib  # noqa: F401  (points ZenML at the kit's store unless ZENML_STORE_URL is set)
from governance.gitops import pr_comment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="model name in the Model Control Plane")
    parser.add_argument("--version", default="latest", help="version number or 'latest'")
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = pr_comment(args.model, args.version)
    except KeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
