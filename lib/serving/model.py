"""The serving model: loaded once per process, by stage, and shared by both endpoints.

:func:`load_serving_model` is the real-time pipeline's ``on_init`` hook. ZenML runs it once
when the deployment starts, before the first request; its return value is the pipeline state
every ``/invoke`` step reads (``get_step_context().pipeline_state``). It also registers the same
object for the process (:func:`current`), where the fast path's endpoint finds it.

The model is the training run's ``model`` artifact: one scikit-learn ``Pipeline`` with the
fitted preprocessing, so a request is scored exactly as the held-out data was.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib.modeling import malignant_probability
from lib.serving.schema import Prediction, feature_names, features_row

_lock = threading.Lock()
_current: ServingModel | None = None


@dataclass
class ServingModel:
    """A loaded model version and what a response says about it."""

    model: Any
    model_name: str
    model_version: str
    model_version_id: str
    stage: str
    columns: list[str] = field(default_factory=feature_names)

    def predict(self, features, request_id: str | None = None) -> Prediction:
        """Score one validated request (a :class:`~lib.serving.schema.BreastCancerFeatures`)."""
        row = features_row(features)
        frame = pd.DataFrame([[row[c] for c in self.columns]], columns=self.columns)
        p_malignant = float(malignant_probability(self.model, frame).iloc[0])
        return Prediction(
            request_id=request_id or uuid.uuid4().hex,
            p_malignant=p_malignant,
            predicted_class="malignant" if p_malignant >= 0.5 else "benign",
            model_name=self.model_name,
            model_version=self.model_version,
            stage=self.stage,
        )


class NoServingModel(LookupError):
    """No model version holds the stage the deployment serves."""


def load_serving_model(model_name: str = "", stage: str = "", version: str = "") -> ServingModel:
    """Load the version of ``model_name`` that holds ``stage`` (``on_init`` hook).

    A deployment passes its choice through the pipeline's environment
    (``KIT_SERVING_MODEL``, ``KIT_SERVING_STAGE``, ``KIT_SERVING_VERSION``), which ZenML sets
    while the hook runs, from Python options and from a run-configuration file alike.

    Args:
        model_name: Defaults to ``KIT_SERVING_MODEL``, else the kit's model.
        stage: Defaults to ``KIT_SERVING_STAGE``, else the policy's serving stage.
        version: Defaults to ``KIT_SERVING_VERSION``: the version the deployment was pinned to
            when it was deployed. It must still hold ``stage``: a deployment never starts
            serving a version that was moved out of the stage in the meantime.

    Raises:
        NoServingModel: No version holds ``stage`` (or the pinned one no longer does); the
            deployment does not start.
    """
    from zenml.client import Client

    from governance.policy import load_policy
    from lib.config import model_name as kit_model_name

    model_name = model_name or os.environ.get("KIT_SERVING_MODEL") or kit_model_name()
    stage = stage or os.environ.get("KIT_SERVING_STAGE") or load_policy().serving.stage
    version = version or os.environ.get("KIT_SERVING_VERSION", "")
    try:
        found = Client().get_model_version(model_name, version or stage)
    except KeyError as error:
        raise NoServingModel(
            f"no version of model {model_name!r} holds stage {stage!r}: promote one first"
        ) from error
    held = getattr(found.stage, "value", found.stage)
    if held != stage:
        raise NoServingModel(
            f"{model_name} version {found.name} holds stage {held!r}, not {stage!r}: "
            "deploy again to serve the version that holds it now"
        )
    loaded = ServingModel(
        model=found.get_model_artifact("model").load(),
        model_name=model_name,
        model_version=found.name,
        model_version_id=str(found.id),
        stage=stage,
    )
    register(loaded)
    return loaded


def register(model: ServingModel) -> None:
    """Make ``model`` the process's serving model (the fast path reads it)."""
    global _current
    with _lock:
        _current = model


def current() -> ServingModel:
    """The process's serving model; raises ``NoServingModel`` before the init hook ran."""
    with _lock:
        if _current is None:
            raise NoServingModel("the serving model is not loaded yet")
        return _current
