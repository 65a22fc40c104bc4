"""Deploy, inspect, call and delete the real-time inference deployment (ZenML local deployer).

    python scripts/deploy_realtime.py deploy                  # serve production's version
    python scripts/deploy_realtime.py status
    python scripts/deploy_realtime.py invoke --row 3          # POST /invoke (one pipeline run)
    python scripts/deploy_realtime.py invoke --fast --json patient.json   # POST /predict
    python scripts/deploy_realtime.py delete                  # clean shutdown, audit flushed
    python scripts/deploy_realtime.py config --out realtime.yaml   # for `zenml pipeline deploy`

The deployment runs on one side of the release: ``--side production`` (default) or
``dev-staging``, in the embedded stores or on the local servers (``--mode``, ``KIT_MODE``). It
serves the version holding the policy's serving stage (``--stage`` to override, e.g.
``--side dev-staging --stage staging`` before production exists). A running deployment follows
the stage: after a release or a rollback it serves the new holder and records the swap in the
ledger. Deploying an existing name again replaces it (new code, new settings).

The bearer key is written to ``state/secrets/deployments/<name>.key`` (owner-only, git-ignored)
and never printed. Exit codes: 0 done, 1 refused or failed (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import lib  # noqa: F401  (kit defaults for ZenML; the store is chosen just below)
from governance.release.endpoints import MODES, bind_process, side_endpoint
from lib.config import STATE_DIR


def _features(args: argparse.Namespace) -> dict:
    from lib.serving.deploy import example_features

    if args.json:
        data = json.loads(Path(args.json).read_text())
        return data.get("features", data) if isinstance(data, dict) else data
    return example_features(args.row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["deploy", "status", "invoke", "delete", "config"])
    parser.add_argument("--name", default="breast-cancer-realtime", help="deployment name")
    parser.add_argument("--side", choices=["production", "dev-staging"], default="production")
    parser.add_argument("--mode", choices=MODES, help="embedded stores or local servers")
    parser.add_argument("--stage", choices=["staging", "production"], help="stage to serve")
    parser.add_argument("--suffix", default="", help="learner suffix of the model name")
    parser.add_argument("--port", type=int, help="port to serve on (default: a free one)")
    parser.add_argument("--fast", action="store_true", help="invoke: use the fast path")
    parser.add_argument("--row", type=int, default=0, help="invoke: dataset row to send")
    parser.add_argument("--json", help="invoke: a JSON file with the 30 features")
    parser.add_argument("--out", default="realtime.yaml", help="config: the file to write")
    args = parser.parse_args(argv)

    try:
        target = side_endpoint(args.side, args.mode, STATE_DIR)
        bind_process(target)  # before ZenML loads
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    from lib.serving import deploy as realtime

    try:
        if args.command == "deploy":
            info = realtime.deploy(args.name, stage=args.stage, suffix=args.suffix, port=args.port)
            print(json.dumps(info))
            print(f"bearer key: {realtime.key_file(args.name)}", file=sys.stderr)
        elif args.command == "config":
            import yaml

            content, stack = realtime.cli_config(args.stage, args.suffix, args.port)
            Path(args.out).write_text(yaml.safe_dump(content, sort_keys=False))
            where = (
                f"in a shell logged in to {target.location}:\n  "
                if target.is_server
                else f"(on {args.side}):\n  ZENML_CONFIG_PATH={target.location} "
            )
            print(
                f"wrote {args.out}; deploy it {where}zenml pipeline deploy "
                "lib.pipelines.realtime_inference.realtime_inference_pipeline "
                f"-n {args.name} -c {args.out} -s {stack}"
            )
        elif args.command == "status":
            print(json.dumps(realtime.status(args.name)))
        elif args.command == "invoke":
            print(json.dumps(realtime.invoke(args.name, _features(args), fast=args.fast)))
        elif not realtime.delete(args.name):
            print(f"no deployment named {args.name!r}")
        else:
            print(f"deleted {args.name}")
    except (realtime.DeploymentError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
