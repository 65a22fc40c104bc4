"""Score a batch with the production model, by stage, on the production side.

    python scripts/run_batch_inference.py                       # 1000 generated rows, embedded
    python scripts/run_batch_inference.py --input batch.parquet --mode servers
    python scripts/run_batch_inference.py --rows 5000 --drift-shift 0.3 --suffix ada

The production side follows --mode (``KIT_MODE``) or ``KIT_PRODUCTION_STORE``; with
``KIT_PUSHGATEWAY_URL`` set the drift metrics are pushed. The daily schedule is a CI cron.
Exit codes: 0 scored, 1 refused (data-quality gate, no production model) or failed.
"""

from __future__ import annotations

import argparse
import sys

import lib  # noqa: F401  (kit defaults for ZenML; the store is chosen just below)
from governance.release.endpoints import MODES, bind_process, side_endpoint
from lib.config import STATE_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="batch size when generating")
    parser.add_argument("--input", default="", help="parquet file to score instead")
    parser.add_argument("--drift-shift", type=float, default=0.0, help="shift size features")
    parser.add_argument("--suffix", default="", help="learner suffix of the model name")
    parser.add_argument("--mode", choices=MODES)
    parser.add_argument("--environment", default="production", choices=["dev", "production"])
    args = parser.parse_args(argv)

    bind_process(side_endpoint("production", args.mode, STATE_DIR))  # before ZenML loads

    from governance.environments import run_governed
    from lib.pipelines.batch_inference import batch_inference_pipeline, production_model

    try:
        outcome = run_governed(
            batch_inference_pipeline.with_options(model=production_model(args.suffix)),
            args.environment,
            n_rows=args.rows,
            input_path=args.input,
            drift_shift=args.drift_shift,
        )
    except KeyError as error:
        print(f"error: no production model: {error}", file=sys.stderr)
        return 1
    print(outcome.describe())
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
