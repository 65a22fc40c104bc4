"""Benchmark: the batch inference pipeline against bare predict_proba + a parquet write.

Both score the same parquet batch (1,000,000 rows by default) with the same model, in one run,
each in its own process on a temporary ZenML store (never the kit's state/):

- **bare**: read the parquet file, ``predict_proba``, write the predictions as parquet;
- **pipeline**: ``batch_inference_pipeline`` governed for production — the batch stored as an
  artifact, the data-quality gate, scoring, predictions stored and linked, the drift check.

It prints rows per second and peak memory of each, and the ratios (goals: throughput >= 0.5x,
peak memory <= 2x). Peak memory is the process's peak resident size minus its size once the
libraries are imported, so the fixed cost of importing ZenML is not counted against it.

    python scripts/benchmarks/batch_inference.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODEL_SUFFIX = "bench"


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _prepare(folder: Path, rows: int) -> None:
    """Write the batch and register a production model with its drift reference."""
    from zenml import Model, link_artifact_to_model, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from governance.drift import reference_profile
    from lib.batch import make_batch
    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import fit_model
    from lib.pipelines.training import DEFAULT_TAGS
    from lib.preprocessing import build_preprocessor

    make_batch(rows, random_state=11).to_parquet(folder / "batch.parquet")
    frame = load_frame("original")
    features, target = frame.drop(columns=[TARGET]), frame[TARGET]
    model = fit_model(build_preprocessor(features, 50, 0.95, 42), features, target)
    name = model_name(MODEL_SUFFIX)
    client = Client()
    client.create_model(name=name, tags=list(DEFAULT_TAGS))
    version = client.create_model_version(model_name_or_id=name, name="benchmark")
    target_model = Model(name=name, version="benchmark")
    saved = save_artifact(model, name="model", artifact_type=ArtifactType.MODEL)
    link_artifact_to_model(saved, model=target_model)
    link_artifact_to_model(
        save_artifact(reference_profile(features), name="reference_profile"), model=target_model
    )
    version.set_stage("production", force=True)
    import pickle

    (folder / "model.pkl").write_bytes(pickle.dumps(model))


def _bare(folder: Path) -> dict:
    import pickle

    import pandas as pd

    from lib.batch import score

    model = pickle.loads((folder / "model.pkl").read_bytes())
    base = _rss_mb()
    started = time.perf_counter()
    batch = pd.read_parquet(folder / "batch.parquet")
    score(model, batch).to_parquet(folder / "bare_predictions.parquet")
    return {"seconds": time.perf_counter() - started, "rows": len(batch), "base_mb": base}


def _pipeline(folder: Path) -> dict:
    from zenml.client import Client

    from governance.environments import governed
    from lib.pipelines.batch_inference import batch_inference_pipeline, production_model

    Client().active_stack_model  # noqa: B018 - store ready before the clock starts
    pipeline = governed(
        batch_inference_pipeline.with_options(model=production_model(MODEL_SUFFIX)), "production"
    )
    base = _rss_mb()
    started = time.perf_counter()
    run = pipeline(input_path=str(folder / "batch.parquet"))
    seconds = time.perf_counter() - started
    rows = Client().get_pipeline_run(run.id).steps["score_batch"].outputs["predictions"][0]
    return {"seconds": seconds, "rows": int(rows.run_metadata["rows"]), "base_mb": base}


def _child(kind: str, folder: Path, rows: int) -> int:
    import lib  # noqa: F401

    if kind == "prepare":
        _prepare(folder, rows)
        print(json.dumps({}))
        return 0
    result = _bare(folder) if kind == "bare" else _pipeline(folder)
    result["peak_mb"] = _peak_mb()
    print("BENCH " + json.dumps(result))
    return 0


def _run(kind: str, folder: Path, rows: int, env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--rows", str(rows)],
        capture_output=True,
        text=True,
        env=env,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    if completed.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{completed.stderr[-3000:]}")
    return {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["prepare", "bare", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.folder, args.rows)

    with tempfile.TemporaryDirectory(prefix="kit-batch-bench-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "ZENML_CONFIG_PATH": str(folder / "zenml"),
            "KIT_STATE_DIR": str(folder / "state"),
            "ZENML_ANALYTICS_OPT_IN": "false",
        }
        for name in ("ZENML_STORE_URL", "ZENML_STORE_API_KEY", "KIT_PUSHGATEWAY_URL"):
            env.pop(name, None)
        print(f"preparing {args.rows:,} rows and a production model ...", flush=True)
        _run("prepare", folder, args.rows, env)
        bare = _run("bare", folder, args.rows, env)
        piped = _run("pipeline", folder, args.rows, env)

    def line(name: str, r: dict) -> str:
        extra = r["peak_mb"] - r["base_mb"]
        return (
            f"{name:<9} {r['seconds']:7.2f} s  {r['rows'] / r['seconds']:>12,.0f} rows/s  "
            f"peak +{extra:7.0f} MiB"
        )

    print(line("bare", bare))
    print(line("pipeline", piped))
    throughput = (piped["rows"] / piped["seconds"]) / (bare["rows"] / bare["seconds"])
    memory = (piped["peak_mb"] - piped["base_mb"]) / (bare["peak_mb"] - bare["base_mb"])
    print(f"throughput ratio (pipeline / bare): {throughput:.2f}x  (goal >= 0.5x)")
    print(f"peak memory ratio (pipeline / bare): {memory:.2f}x  (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
