"""Benchmark: real-time latency of one model served four ways, measured in one run.

- **plain**: FastAPI + scikit-learn, no ZenML in the request path (the baseline,
  ``scripts/benchmarks/plain_service.py``);
- **fast**: the deployment's ``POST /predict`` (preloaded model, answers audited in batches);
- **invoke**: the deployment's ``POST /invoke`` (one ZenML run per request);
- **floor**: ``/invoke`` of a one-step pipeline that returns its input (ZenML's own floor).

All four run on this machine against a temporary ZenML store (never the kit's ``state/``), are
called one request at a time over a kept-alive connection, in interleaved rounds so that noise
hits all of them alike. It prints p50 and p95 of each and the ratios the kit tracks:

- fast p50 / plain p50      (goal <= 10)
- invoke p50 / floor p50    (goal <= 1.2)

    python scripts/benchmarks/realtime.py [--fast-requests 400] [--invoke-requests 80]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from governance.health import free_port

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = "bench"


def _isolate(folder: Path) -> None:
    """Point this process (and its children) at a fresh store under ``folder``."""
    os.environ["ZENML_CONFIG_PATH"] = str(folder / "zenml")
    os.environ["ZENML_REPOSITORY_PATH"] = str(folder / "repo")
    os.environ["KIT_STATE_DIR"] = str(folder / "state")
    os.environ.pop("ZENML_STORE_URL", None)
    (folder / "repo" / ".zen").mkdir(parents=True)


def _register_model() -> str:
    from zenml import Model, link_artifact_to_model, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import fit_model
    from lib.preprocessing import build_preprocessor
    from lib.setup import ensure_zenml_ready

    ensure_zenml_ready()
    frame = load_frame("original")
    features = frame.drop(columns=[TARGET])
    model = fit_model(build_preprocessor(features, 50, 0.95, 42), features, frame[TARGET])
    name = model_name(SUFFIX)
    Client().create_model(name=name)
    version = Client().create_model_version(model_name_or_id=name, name="bench-v1")
    link_artifact_to_model(
        save_artifact(model, name="model", artifact_type=ArtifactType.MODEL),
        model=Model(name=name, version="bench-v1"),
    )
    version.set_stage("production", force=True)
    return name


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(session, url: str, body: dict, headers: dict) -> float:
    started = time.perf_counter()
    response = session.post(url, json=body, headers=headers, timeout=60)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast-requests", type=int, default=400, help="plain and fast path")
    parser.add_argument("--invoke-requests", type=int, default=80, help="invoke and floor")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="kit-bench-realtime-"))
    _isolate(folder)
    sys.path.insert(0, str(ROOT))
    import requests

    import lib  # noqa: F401
    from lib.serving import deploy as realtime
    from lib.serving.floor import deploy_floor

    name = _register_model()
    patient = realtime.example_features(0)
    plain_port = free_port()
    plain = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/benchmarks/plain_service.py"),
         "--port", str(plain_port), "--model", name],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        service = realtime.deploy("bench-realtime", suffix=SUFFIX, port=free_port())
        key = realtime.bearer_key("bench-realtime")
        floor = deploy_floor("bench-floor", port=free_port())
        plain_url = f"http://127.0.0.1:{plain_port}"
        realtime.wait_until_ready(plain_url)

        targets = {
            "plain": (f"{plain_url}/predict", patient, {}),
            "fast": (f"{service['url']}/predict", patient, {"Authorization": f"Bearer {key}"}),
            "invoke": (
                f"{service['url']}/invoke",
                {"parameters": {"features": patient}},
                {"Authorization": f"Bearer {key}"},
            ),
            "floor": (
                f"{floor['url']}/invoke",
                {"parameters": {"value": 1}},
                {"Authorization": f"Bearer {floor['key']}"},
            ),
        }
        counts = {
            "plain": args.fast_requests,
            "fast": args.fast_requests,
            "invoke": args.invoke_requests,
            "floor": args.invoke_requests,
        }
        samples: dict[str, list[float]] = {k: [] for k in targets}
        with requests.Session() as session:
            for url, body, headers in targets.values():  # warm-up
                for _ in range(3):
                    _timed(session, url, body, headers)
            for _ in range(args.rounds):
                for label, (url, body, headers) in targets.items():
                    per_round = max(1, counts[label] // args.rounds)
                    for _ in range(per_round):
                        samples[label].append(_timed(session, url, body, headers))
    finally:
        for deployment in ("bench-realtime", "bench-floor"):
            try:
                realtime.delete(deployment)
            except Exception as error:  # noqa: BLE001 - report and go on cleaning up
                print(f"warning: could not delete {deployment}: {error}", file=sys.stderr)
        plain.terminate()
        plain.wait(timeout=30)

    stats = {
        label: {
            "n": len(values),
            "p50_ms": round(1000 * statistics.median(values), 2),
            "p95_ms": round(1000 * _percentile(values, 0.95), 2),
        }
        for label, values in samples.items()
    }
    ratios = {
        "fast_p50_over_plain_p50": round(stats["fast"]["p50_ms"] / stats["plain"]["p50_ms"], 2),
        "invoke_p50_over_floor_p50": round(stats["invoke"]["p50_ms"] / stats["floor"]["p50_ms"], 2),
    }
    print(f"{'service':8} {'n':>5} {'p50 ms':>9} {'p95 ms':>9}")
    for label, row in stats.items():
        print(f"{label:8} {row['n']:>5} {row['p50_ms']:>9.2f} {row['p95_ms']:>9.2f}")
    print(
        f"fast p50 / plain p50   = {ratios['fast_p50_over_plain_p50']:.2f}x  (goal <= 10)\n"
        f"invoke p50 / floor p50 = {ratios['invoke_p50_over_floor_p50']:.2f}x  (goal <= 1.2)"
    )
    print(json.dumps({"stats": stats, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
