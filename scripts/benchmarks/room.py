"""A room on one server: N learners run chapters 01-04 at once against one dev-staging server.

    python scripts/benchmarks/room.py --learners 4                 # SQLite (the default)
    python scripts/benchmarks/room.py --learners 12 --db mariadb   # the issue's goal

It starts a dev-staging server of its own (free port, its own state folder; ``--db`` chooses
its database), runs one learner alone ``--solo-runs`` times, one after another, then N learners
at once, each with its own ``LEARNER`` id and its own papermill kernels. A chapter's solo time
is the median of its solo runs: one run of a 7-second chapter moves by 10 % from run to run,
and the bound moves with it. It reports, per chapter, p50 and p95 against the solo time and
the bound ``1.3 x N / cores x solo``; failed cells; the server's peak
RSS (and MariaDB's); and each learner's end state read back from the server with
``scripts/cohort.py --json``: their own model, the solo learner's versions and stages, and an
intact ledger. ``--fail-learner ID`` gives one more learner a classifier that does not exist,
so the board has a failed run to show. Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1]
ROOT = SCRIPTS.parent
CHAPTERS = ("01", "02", "03", "04")
SOLO = "solo"
BAD_CLASSIFIER = "no_such_classifier"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, default=3, help="learners at once (N)")
    parser.add_argument("--db", choices=("sqlite", "mariadb"), default="sqlite")
    parser.add_argument(
        "--solo-runs",
        type=_positive,
        default=3,
        help="solo learners run one after another; a chapter's solo time is their median",
    )
    parser.add_argument("--fail-learner", default="", help="one more learner whose run fails")
    parser.add_argument("--state-dir", type=Path, help="default: a temporary folder, removed")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument(
        "--keep-up", action="store_true", help="leave the server up (its URL is in the report)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: run one learner
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--classifier", default="", help=argparse.SUPPRESS)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# -- one learner: chapters 01-04 in order, each timed --------------------------------------


def _worker(learner: str, out: Path, classifier: str) -> int:
    sys.path.insert(0, str(SCRIPTS))
    from run_notebooks import discover, run_chapter

    out.mkdir(parents=True, exist_ok=True)
    results = []
    for notebook in discover(None, CHAPTERS[0], CHAPTERS[-1]):
        params = {"LEARNER": learner}
        if classifier and notebook.name.startswith("01"):
            params["CLASSIFIER"] = classifier
        started = time.perf_counter()
        try:
            result = run_chapter(notebook, params, out, html=False)  # the notebook is enough
        except Exception as error:  # noqa: BLE001 - a kernel that died or never started
            traceback.print_exc()  # into the learner's worker.log
            results.append(
                {
                    "chapter": notebook.name[:2],
                    "status": "ERROR",
                    "seconds": time.perf_counter() - started,
                    "error": f"{type(error).__name__}: {error}",
                }
            )
            break
        results.append(
            {
                "chapter": notebook.name[:2],
                "status": result.status,
                "seconds": result.seconds,
                "error": result.error,
            }
        )
        if result.status != "ok":
            break
    (out / "times.json").write_text(json.dumps(results))
    return 0


# -- the room -----------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Samples the resident memory of the server (and MariaDB) until stopped; keeps the peak."""

    def __init__(self, server, maria) -> None:
        super().__init__(daemon=True)
        self.server, self.maria, self.peak, self.peak_db = server, maria, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil
        from server_processes import rss_bytes

        while not self.done.wait(0.5):
            self.peak = max(self.peak, rss_bytes(self.server))
            if self.maria is not None and self.maria.running():
                try:
                    self.peak_db = max(
                        self.peak_db, psutil.Process(self.maria.pid()).memory_info().rss
                    )
                except psutil.NoSuchProcess:
                    pass


def _own_client(learner: str, env: dict, out: Path) -> dict:
    """``env`` with a ZenML repository and client config of the learner's own.

    Each learner in a room has their own machine: kernels that share one repository's
    ``.zen/config.yaml`` (or one global config) rewrite it at once and read each other's
    half-written files (``'ClientConfiguration' object has no attribute 'active_project_id'``).
    The copy keeps the binding to the room's server.
    """
    home = out / learner
    (home / "repo" / ".zen").mkdir(parents=True, exist_ok=True)
    own = {**env, "ZENML_REPOSITORY_PATH": str(home / "repo")}
    shared = env.get("ZENML_CONFIG_PATH")
    if shared and Path(shared).is_dir():
        shutil.copytree(shared, home / "zenml-config", dirs_exist_ok=True)
        own["ZENML_CONFIG_PATH"] = str(home / "zenml-config")
    return own


def _learner(learner: str, env: dict, out: Path, classifier: str = "") -> list[dict]:
    command = [sys.executable, __file__, "--worker", learner, "--out", str(out / learner)]
    if classifier:
        command += ["--classifier", classifier]
    (out / learner).mkdir(parents=True, exist_ok=True)
    env = _own_client(learner, env, out)
    with (out / learner / "worker.log").open("w") as log:
        subprocess.run(
            command,
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=7200,
            check=False,
        )
    times = out / learner / "times.json"
    return json.loads(times.read_text()) if times.is_file() else []


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def _board(env: dict, url: str) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "cohort.py"), "--url", url, "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    lines = result.stdout.splitlines()  # ZenML may log to stdout before the JSON
    start = max(i for i, line in enumerate(lines) if line in ("[", "[]"))
    return {row["learner"]: row for row in json.loads("\n".join(lines[start:]))}


def room(args: argparse.Namespace) -> dict:
    sys.path.insert(0, str(SCRIPTS))
    if not (Path(os.environ.get("ZENML_REPOSITORY_PATH") or ROOT) / ".zen").is_dir():
        raise SystemExit("no ZenML repository at the kit's root: run `make setup` first")
    state = args.state_dir or Path(tempfile.mkdtemp(prefix="kit-room-"))
    state.mkdir(parents=True, exist_ok=True)
    (state / ".kit-state").touch()
    from governance.health import free_port

    base = {k: v for k, v in os.environ.items() if not k.startswith(("ZENML_STORE", "KIT_"))}
    base.pop("ZENML_CONFIG_PATH", None)
    env = {
        **base,
        "KIT_STATE_DIR": str(state),
        "KIT_DEV_STAGING_PORT": str(free_port()),
        "KIT_MARIADB_PORT": str(free_port()),
        "ZENML_ANALYTICS_OPT_IN": "false",
        "ZENML_ENABLE_RICH_TRACEBACK": "false",
        "ZENML_LOGGING_COLORS_DISABLED": "true",
    }
    servers = [sys.executable, str(SCRIPTS / "servers.py")]
    up = subprocess.run(
        [*servers, "up", "--side", "dev-staging", "--db", args.db],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if up.returncode != 0:
        raise SystemExit(f"server did not start: {up.stdout}{up.stderr}")
    os.environ.update({k: env[k] for k in ("KIT_STATE_DIR", "KIT_DEV_STAGING_PORT")})
    from server_processes import mariadb

    from governance.servers import local_server

    server = local_server("dev-staging", state)
    sampler = Sampler(server, mariadb(state) if args.db == "mariadb" else None)
    sampler.start()
    out = state / "room"
    try:
        # a learner's kernel is bound to the server exactly as `servers.py run` binds it
        bound = json.loads(
            subprocess.run(
                [
                    *servers,
                    "run",
                    "--",
                    sys.executable,
                    "-c",
                    "import json, os; print(json.dumps(dict(os.environ)))",
                ],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
        )
        solo, solo_seconds, solo_busy = [], [], 0.0
        for name in _solo_names(args.solo_runs):
            started, busy = time.perf_counter(), _busy_seconds()
            solo.append(_learner(name, bound, out))
            solo_seconds.append(time.perf_counter() - started)
            solo_busy += _busy_seconds() - busy
        cpu = {"solo": solo_busy / len(solo)}
        learners = [f"l{i:02d}" for i in range(1, args.learners + 1)]
        jobs = [(name, "") for name in learners]
        if args.fail_learner:
            jobs.append((args.fail_learner, BAD_CLASSIFIER))
        started, busy = time.perf_counter(), _busy_seconds()
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            runs = dict(
                zip(
                    [n for n, _ in jobs],
                    pool.map(lambda job: _learner(job[0], bound, out, job[1]), jobs),
                    strict=True,
                )
            )
        room_seconds = time.perf_counter() - started
        cpu["room"] = _busy_seconds() - busy
        board = _board(bound, server.url)
    finally:
        sampler.done.set()
        if not args.keep_up:
            subprocess.run([*servers, "down"], env=env, cwd=ROOT, capture_output=True, timeout=300)
    report = _report(args, solo, solo_seconds, runs, room_seconds, board, sampler, state, learners)
    report["cpu"] = _cpu_use(cpu, statistics.mean(solo_seconds), room_seconds, len(jobs))
    report["server_url"] = server.url
    report["environment"] = {
        k: env[k] for k in ("KIT_STATE_DIR", "KIT_DEV_STAGING_PORT", "KIT_MARIADB_PORT")
    }
    return report


def _solo_names(runs: int) -> list[str]:
    """``solo``, then ``solo2``, ``solo3``, ...: each solo run has a model of its own."""
    return [SOLO if i == 1 else f"{SOLO}{i}" for i in range(1, runs + 1)]


def _solo_times(solo: list[list[dict]]) -> dict[str, dict]:
    """Each chapter's seconds in every solo run and their median (the chapter's solo time).

    A chapter that failed or never ran in any solo run has none.
    """
    times: dict[str, dict] = {}
    for chapter in CHAPTERS:
        ran = [r for run in solo for r in run if r["chapter"] == chapter]
        if len(ran) == len(solo) and all(r["status"] == "ok" for r in ran):
            seconds = [r["seconds"] for r in ran]
            times[chapter] = {"median": statistics.median(seconds), "runs": seconds}
    return times


def _report(args, solo, solo_seconds, runs, room_seconds, board, sampler, state, learners):
    cores = os.cpu_count() or 1
    n = args.learners
    solo_runs = _solo_times(solo)
    solo_times = {chapter: times["median"] for chapter, times in solo_runs.items()}
    chapters = {}
    for chapter in CHAPTERS:
        times = [
            r["seconds"]
            for name in learners
            for r in runs.get(name, [])
            if r["chapter"] == chapter and r["status"] == "ok"
        ]
        if not times or chapter not in solo_times:
            chapters[chapter] = {"runs": len(times)}
            continue
        bound = 1.3 * max(n / cores, 1.0) * solo_times[chapter]
        p95 = _percentile(times, 95)
        chapters[chapter] = {
            "solo": solo_times[chapter],
            "solo_runs": solo_runs[chapter]["runs"],
            "p50": _percentile(times, 50),
            "p95": p95,
            "bound": bound,
            "runs": len(times),
            "within_bound": p95 <= bound,
        }
    failed_cells = [
        f"{name} {r['chapter']}: {r['error']}"
        for name in learners
        for r in runs.get(name, [])
        if r["status"] != "ok"
    ] + [
        f"{name}: ran {len(runs.get(name, []))} of {len(CHAPTERS)} chapters (its runner stopped)"
        for name in learners
        if len(runs.get(name, [])) < len(CHAPTERS)
        and all(r["status"] == "ok" for r in runs.get(name, []))
    ]
    expected = board.get(SOLO, {})
    states = {}
    for name in learners:
        row = board.get(name)
        problems = []
        if row is None:
            problems.append("no model on the server")
        else:
            if row["model"] != f"breast_cancer_classifier_{name}":
                problems.append(f"model {row['model']}")
            if row["versions"] != expected.get("versions"):
                problems.append(
                    f"versions/stages {row['versions']} != solo {expected.get('versions')}"
                )
            if row["ledger_problems"] or row["ledger_entries"] != expected.get("ledger_entries"):
                problems.append(f"ledger {row['ledger_entries']} entries {row['ledger_problems']}")
            if row["chapters"] != ["01", "03", "04"]:
                problems.append(f"chapters {row['chapters']}")
        states[name] = problems
    report = {
        "learners": n,
        "db": args.db,
        "cores": cores,
        "load_average": os.getloadavg(),
        "solo_seconds": solo_seconds,
        "solo_runs": len(solo),
        "room_seconds": room_seconds,
        "chapters": chapters,
        "failed_cells": failed_cells,
        "server_peak_rss_mb": sampler.peak / 2**20,
        "mariadb_peak_rss_mb": sampler.peak_db / 2**20,
        "end_state_problems": states,
        "board": board,
        "fail_learner": args.fail_learner,
        "fail_learner_runs": runs.get(args.fail_learner, []) if args.fail_learner else [],
        "fail_learner_log": _tail(state / "room" / args.fail_learner / "worker.log")
        if args.fail_learner
        else "",
        "state_dir": str(state),
    }
    report["ok"] = (
        not failed_cells
        and not any(states.values())
        and len(solo_times) == len(CHAPTERS)
        and all(c.get("within_bound", False) for c in chapters.values())
    )
    return report


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (every process, every core) since boot."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _cpu_use(cpu: dict, solo_seconds: float, room_seconds: float, learners: int) -> dict:
    """What the machine's CPU did in each phase: the cores in use, and CPU seconds a learner.

    The bound treats a solo learner as one core's work; ``solo_cores`` says how many it kept
    busy (kernel, server and database run at once). Equal ``cpu_per_learner`` in the solo
    and the room means the room cost no extra work: a slower p95 is then the solo's use of more
    than one core, not the server. Machine-wide: another job running alongside counts too.
    """
    return {
        "solo_cores": cpu["solo"] / solo_seconds,
        "room_cores": cpu["room"] / room_seconds,
        "solo_cpu_seconds": cpu["solo"],
        "room_cpu_seconds_per_learner": cpu["room"] / learners,
    }


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.is_file() else ""


def _print(report: dict) -> None:
    print(
        f"room: {report['learners']} learners on {report['db']}, {report['cores']} cores, "
        f"load average at the end {report['load_average'][0]:.1f}"
    )
    solos = ", ".join(f"{s:.0f}" for s in report["solo_seconds"])
    print(
        f"solo 01-04: {solos} s ({report['solo_runs']} runs); room: {report['room_seconds']:.0f} s"
    )
    print(f"{'chapter':<8}{'solo s':>8}{'p50 s':>8}{'p95 s':>8}{'bound s':>9}  ok  solo runs s")
    for chapter, c in report["chapters"].items():
        if "p95" in c:
            print(
                f"{chapter:<8}{c['solo']:>8.1f}{c['p50']:>8.1f}{c['p95']:>8.1f}"
                f"{c['bound']:>9.1f}  {'yes' if c['within_bound'] else 'NO ':<3} "
                + " ".join(f"{s:.1f}" for s in c["solo_runs"])
            )
        else:
            print(f"{chapter:<8}  not measured ({c['runs']} runs)")
    use = report.get("cpu")
    if use:
        print(
            f"CPU: solo kept {use['solo_cores']:.2f} cores busy, the room {use['room_cores']:.2f}; "
            f"CPU seconds a learner: solo {use['solo_cpu_seconds']:.0f}, "
            f"room {use['room_cpu_seconds_per_learner']:.0f}"
        )
    print(f"failed cells: {len(report['failed_cells'])}")
    for line in report["failed_cells"]:
        print(f"  {line}")
    print(
        f"server peak RSS: {report['server_peak_rss_mb']:.0f} MiB"
        + (
            f"; MariaDB {report['mariadb_peak_rss_mb']:.0f} MiB"
            if report["db"] == "mariadb"
            else ""
        )
    )
    bad = {k: v for k, v in report["end_state_problems"].items() if v}
    print(
        f"end state: {len(report['end_state_problems']) - len(bad)} of "
        f"{len(report['end_state_problems'])} learners exact"
    )
    for name, problems in bad.items():
        print(f"  {name}: {'; '.join(problems)}")
    print("PASS" if report["ok"] else "FAIL")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.out, args.classifier)
    temporary = args.state_dir is None and not args.keep_up
    report = room(args)
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    if temporary and report["ok"]:
        shutil.rmtree(report["state_dir"], ignore_errors=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
