"""Benchmark: the batch inference pipeline against bare predict_proba + a parquet write.

At each size (0.1 M, 1 M and 10 M rows by default) both score the same parquet batch with the
same model, in one run, each in its own process on a temporary ZenML store (never the kit's
state/):

- **bare**: read the parquet file, ``predict_proba``, write the predictions as parquet;
- **pipeline**: ``batch_inference_pipeline`` governed for production — the batch stored as an
  artifact, the data-quality gate, scoring, predictions stored and linked, the drift check.

It prints rows per second and peak memory of each, and the ratios. Goals: at 1 M rows
throughput >= 0.5x bare; at 10 M rows throughput >= 0.8x bare and peak memory <= 1.5x bare.
Peak memory is the process's peak resident size minus its size once the libraries are
imported, so the fixed cost of importing ZenML is not counted against it. 10 M rows of 31
floats are about 2.5 GB in memory; the pipeline side needs a few times that at peak.

    python scripts/benchmarks/batch_inference.py [--rows 100000 1000000 10000000]

The last line printed is the results as JSON (read by ``scripts/benchmarks/run_all.py``).
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


GOALS = {1_000_000: (0.5, None), 10_000_000: (0.8, 1.5)}
"""rows -> (least throughput ratio, most peak-memory ratio) the kit aims for."""


def _write_batch(folder: Path, rows: int) -> None:
    from lib.batch import make_batch

    make_batch(rows, random_state=11).to_parquet(folder / "batch.parquet")


def _prepare(folder: Path) -> None:
    """Register a production model with its drift reference (once for every size)."""
    from zenml import Model, link_artifact_to_model, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from governance.drift import reference_profile
    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import fit_model
    from lib.pipelines.training import DEFAULT_TAGS
    from lib.preprocessing import build_preprocessor

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

    if kind in ("prepare", "batch"):
        _prepare(folder) if kind == "prepare" else _write_batch(folder, rows)
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
    if completed.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{completed.stderr[-3000:]}")
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    return {}


def _ratios(bare: dict, piped: dict) -> dict:
    throughput = (piped["rows"] / piped["seconds"]) / (bare["rows"] / bare["seconds"])
    memory = (piped["peak_mb"] - piped["base_mb"]) / max(bare["peak_mb"] - bare["base_mb"], 1.0)
    return {"throughput": round(throughput, 3), "peak_memory": round(memory, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000], help="sizes"
    )
    parser.add_argument(
        "--child", choices=["prepare", "batch", "bare", "pipeline"], help=argparse.SUPPRESS
    )
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.folder, args.rows[0])

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
        print("registering a production model ...", flush=True)
        _run("prepare", folder, 0, env)
        print(
            f"{'rows':>11} {'bare s':>8} {'pipeline s':>11} {'throughput':>11} "
            f"{'bare MiB':>9} {'pipeline MiB':>13} {'memory':>7}  goal",
            flush=True,
        )
        results = []
        for rows in args.rows:
            _run("batch", folder, rows, env)
            bare = _run("bare", folder, rows, env)
            piped = _run("pipeline", folder, rows, env)
            (folder / "batch.parquet").unlink()
            r = {"rows": rows, "bare": bare, "pipeline": piped, **_ratios(bare, piped)}
            results.append(r)
            least, most = GOALS.get(rows, (None, None))
            goal = " ".join(g for g in (least and f">= {least}x", most and f"mem <= {most}x") if g)
            print(
                f"{rows:>11,} {bare['seconds']:>8.2f} {piped['seconds']:>11.2f} "
                f"{r['throughput']:>10.2f}x {bare['peak_mb'] - bare['base_mb']:>9.0f} "
                f"{piped['peak_mb'] - piped['base_mb']:>13.0f} {r['peak_memory']:>6.2f}x  {goal}",
                flush=True,
            )
    print(json.dumps({"batch": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
