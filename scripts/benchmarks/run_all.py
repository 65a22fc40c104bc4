"""Run every benchmark (chapters, batch, real-time) and print one table: ratios, seconds beside.

Each benchmark measures its own baseline in the same run (import and ZenML floors, bare
predict_proba + parquet, plain FastAPI and ZenML's one-step deployment), so the ratios are what
to compare across machines. The table is also written as markdown to
``state/build/benchmarks.md``; the README's Performance section shows the latest one.

    python scripts/benchmarks/run_all.py [--only chapters batch realtime] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("chapters", "batch", "realtime")


def _run(script: str, *args: str) -> dict:
    """Run one benchmark, echo its output, and return the JSON it prints last."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE / script), *args], stdout=subprocess.PIPE, text=True
    )
    last = ""
    for line in process.stdout:
        print(f"  | {line}", end="", flush=True)
        if line.strip():
            last = line
    if process.wait() != 0:
        raise SystemExit(f"{script} failed (exit {process.returncode})")
    print(f"  ({script}: {time.perf_counter() - started:.0f} s)", flush=True)
    return json.loads(last)


def chapter_rows(result: dict) -> list[tuple]:
    floor, zenml_floor = result["import_floor"], result["zenml_floor"]
    rows = []
    for stem, seconds in result["chapters"].items():
        rows.append((f"chapter {stem[:2]} / import floor (s)", seconds / floor, "", seconds, floor))
        if stem.startswith("01_") and zenml_floor:
            rows.append(
                (
                    "chapter 01 / ZenML floor (s)",
                    seconds / zenml_floor,
                    "<= 1.3",
                    seconds,
                    zenml_floor,
                )
            )
    return rows


def batch_rows(result: dict) -> list[tuple]:
    goals = {1_000_000: ("", ">= 0.5"), 10_000_000: ("<= 1.5", ">= 0.8")}
    rows = []
    for r in result["batch"]:
        bare, piped, size = r["bare"], r["pipeline"], f"{r['rows'] / 1e6:g} M"
        memory_goal, speed_goal = goals.get(r["rows"], ("", ""))
        rows.append(
            (
                f"batch {size} rows: throughput / bare (s)",
                r["throughput"],
                speed_goal,
                piped["seconds"],
                bare["seconds"],
            )
        )
        rows.append(
            (
                f"batch {size} rows: peak memory / bare (MiB)",
                r["peak_memory"],
                memory_goal,
                piped["peak_mb"] - piped["base_mb"],
                bare["peak_mb"] - bare["base_mb"],
            )
        )
    return rows


def realtime_rows(result: dict) -> list[tuple]:
    stats = result["stats"]
    return [
        (
            "real-time /predict p50 / plain FastAPI (ms)",
            stats["fast"]["p50_ms"] / stats["plain"]["p50_ms"],
            "<= 10",
            stats["fast"]["p50_ms"],
            stats["plain"]["p50_ms"],
        ),
        (
            "real-time /invoke p50 / ZenML one-step floor (ms)",
            stats["invoke"]["p50_ms"] / stats["floor"]["p50_ms"],
            "<= 1.2",
            stats["invoke"]["p50_ms"],
            stats["floor"]["p50_ms"],
        ),
    ]


def table(rows: list[tuple]) -> str:
    lines = [
        "| measure (unit of the last two columns) | ratio | goal | kit | baseline |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, ratio, goal, kit, baseline in rows:
        lines.append(f"| {name} | {ratio:.2f}x | {goal} | {kit:,.2f} | {baseline:,.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--repeat", type=int, default=1, help="chapter runs (median kept)")
    parser.add_argument("--chapter", help="only this chapter, e.g. 01 (default: all)")
    parser.add_argument("--rows", nargs="+", default=["100000", "1000000", "10000000"])
    parser.add_argument("--out", type=Path, help="markdown file (default state/build/...)")
    args = parser.parse_args(argv)

    from lib.config import BUILD_DIR

    rows: list[tuple] = []
    if "chapters" in args.only:
        print("chapters (papermill, against import and ZenML floors) ...", flush=True)
        chapter = ["--chapter", args.chapter] if args.chapter else []
        rows += chapter_rows(_run("chapter_times.py", "--repeat", str(args.repeat), *chapter))
    if "batch" in args.only:
        print("batch (pipeline against bare predict_proba + parquet) ...", flush=True)
        rows += batch_rows(_run("batch_inference.py", "--rows", *args.rows))
    if "realtime" in args.only:
        print("real-time (deployments against plain FastAPI and ZenML's floor) ...", flush=True)
        rows += realtime_rows(_run("realtime.py"))

    text = table(rows)
    out = args.out or BUILD_DIR / "benchmarks.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    print(f"\n{text}\n\n(written to {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
