"""Follow the stage: swap the preloaded model when another version takes the stage served.

A thread inside the deployment asks the store every ``serving.follow_seconds`` (policy) which
version holds the stage it serves. When that changes — a release imported into production, a
rollback, a promotion — it loads the new holder's model **next to** the one serving, then swaps
the process's serving model in one assignment (:func:`lib.serving.model.register`). Requests
already under way finish with the model they started with; the next one gets the new model. No
request waits for the load and none fails.

Each swap is then appended to the ledger of the store the deployment runs on (production's,
in production) as a ``served`` entry: the deployment, the version it serves now, the one it
replaced, and ``served_since``, the moment of the swap. The entry is written after the swap, so
it never states something that is not yet true: every request sent after the entry's time is
answered by its version. If the ledger cannot be written, the entry is retried at every check
(the answers name their version meanwhile).

Model loading reloads nothing per request: between swaps a request costs what it did before.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from zenml.logger import get_logger

from lib.serving.model import NoServingModel, ServingModel, current, register

logger = get_logger(__name__)


def _load(model_version, stage: str) -> ServingModel:
    return ServingModel(
        model=model_version.get_model_artifact("model").load(),
        model_name=model_version.model.name,
        model_version=model_version.name,
        model_version_id=str(model_version.id),
        stage=stage,
    )


class StageFollower:
    """Keeps the process's serving model on the version holding its stage."""

    def __init__(self, deployment: str, interval: float, deployment_id: str = "") -> None:
        if interval <= 0:
            raise ValueError("interval must be > 0 seconds")
        self.deployment = deployment
        self.deployment_id = deployment_id
        self.interval = interval
        self.swaps = 0
        self._unrecorded: list[dict] = []
        self._recording = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stage-follower", daemon=True)

    def start(self) -> StageFollower:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        """Stop checking; write any swap not yet recorded."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)
        self._record()

    def check(self) -> ServingModel | None:
        """Swap in the stage's holder if it is not the one serving; return the new model."""
        from zenml.client import Client

        serving = current()
        try:
            holder = Client().get_model_version(serving.model_name, serving.stage)
        except KeyError:
            logger.warning(
                "no version of %s holds %s; %s keeps serving %s",
                serving.model_name, serving.stage, self.deployment, serving.model_version,
            )  # fmt: skip
            return None
        if str(holder.id) == serving.model_version_id:
            return None
        loaded = _load(holder, serving.stage)
        previous = register(loaded)
        since = datetime.now(UTC).isoformat(timespec="microseconds")
        self.swaps += 1
        logger.info(
            "%s now serves %s %s (was %s)",
            self.deployment, loaded.model_name, loaded.model_version, previous.model_version,
        )  # fmt: skip
        self._unrecorded.append(
            {
                "model": loaded.model_name,
                "version": loaded.model_version,
                "version_id": loaded.model_version_id,
                "stage": loaded.stage,
                "previous": previous.model_version if previous else None,
                "since": since,
            }
        )
        self._record()
        return loaded

    def _record(self) -> None:
        """Append each swap not yet in the ledger, oldest first; stop at the first failure."""
        from governance.ledger import SERVED, append_entry

        with self._recording:
            while self._unrecorded:
                swap = self._unrecorded[0]
                try:
                    append_entry(
                        swap["model"],
                        version=swap["version"],
                        version_id=swap["version_id"],
                        decision=SERVED,
                        from_stage=swap["stage"],
                        to_stage=swap["stage"],
                        actor=f"deployment:{self.deployment}",
                        source="serving",
                        reason=(
                            f"deployment {self.deployment} serves the {swap['stage']} holder "
                            f"{swap['version']} (was {swap['previous']})"
                        ),
                        previous_holder=swap["previous"],
                        deployment=self.deployment,
                        deployment_id=self.deployment_id,
                        served_since=swap["since"],
                    )
                except Exception:  # noqa: BLE001 - retried at the next check; serving goes on
                    logger.exception("recording the swap to %s failed", swap["version"])
                    return
                self._unrecorded.pop(0)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._record()
                self.check()
            except NoServingModel:
                continue
            except Exception:  # noqa: BLE001 - a failed check keeps the model serving
                logger.exception("checking which version holds the stage failed")
