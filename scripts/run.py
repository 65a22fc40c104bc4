"""Run a kit pipeline in an environment; the environment decides the governance applied.

    python scripts/run.py --pipeline training --environment dev
    python scripts/run.py --pipeline training --environment staging --variant imbalanced
    python scripts/run.py --pipeline training --environment production --suffix ada

``dev`` runs quietly (gates report, nothing blocks, no alerts); ``staging`` and ``production``
attach the model-governance check, alerts and metrics (see governance/README.md). Exit code 0
when the run completed, 1 when a gate or the governance check refused it, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys

import lib  # noqa: F401  (points ZenML at the kit's state folder)

PIPELINES = ("training",)
"""Pipelines this entry point runs, each given its Model Control Plane entry."""

PROFILES = ("gpu", "lightweight", "standard")
"""governance.docker.PROFILES, without importing ZenML to parse the arguments."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", required=True, choices=sorted(PIPELINES))
    parser.add_argument("--environment", required=True, choices=["dev", "staging", "production"])
    parser.add_argument("--variant", help="data variant: original, imbalanced or wide")
    parser.add_argument("--suffix", default="", help="learner suffix of the model name")
    parser.add_argument("--docker", default="standard", choices=sorted(PROFILES))
    args = parser.parse_args(argv)

    from governance.environments import run_governed  # imports ZenML
    from lib.pipelines import training_model, training_pipeline

    pipelines = {
        "training": lambda suffix: training_pipeline.with_options(model=training_model(suffix)),
    }

    parameters = {"variant": args.variant} if args.variant else {}
    outcome = run_governed(
        pipelines[args.pipeline](args.suffix), args.environment, docker=args.docker, **parameters
    )
    print(outcome.describe())
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
