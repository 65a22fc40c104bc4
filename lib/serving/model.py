"""The serving model: loaded once per version, by stage, and shared by both endpoints.

:func:`serve_stage` is the real-time pipeline's ``on_init`` hook. ZenML runs it once when the
deployment starts, before the first request; it loads the version holding the stage and makes
it the process's serving model (:func:`current`), where the fast path finds it. Its return value
is the pipeline state every ``/invoke`` step reads (``get_step_context().pipeline_state``): this
module's registry of loaded versions, so a step scores with exactly the version its run is
linked to (:class:`LoadedModels`).

When another version takes the stage, :mod:`lib.serving.follow` loads it and swaps it in with
:func:`register`; the versions it replaced stay loaded a while for runs still under way.

The model is the training run's ``model`` artifact: one scikit-learn ``Pipeline`` with the
fitted preprocessing, so a request is scored exactly as the held-out data was.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib.modeling import malignant_probability
from lib.serving.schema import Prediction, feature_names, features_row

KEEP_LOADED = 4
"""Versions kept loaded (the serving one included), for runs that started on a replaced one."""


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
    (``KIT_SERVING_MODEL``, ``KIT_SERVING_STAGE``), which ZenML sets while the init hook runs,
    from Python options and from a run-configuration file alike.

    Args:
        model_name: Defaults to ``KIT_SERVING_MODEL``, else the kit's model.
        stage: Defaults to ``KIT_SERVING_STAGE``, else the policy's serving stage.
        version: A version to load instead of the holder; it must hold ``stage``.

    Raises:
        NoServingModel: No version holds ``stage`` (or ``version`` does not); nothing is
            registered, and a deployment does not start.
    """
    from zenml.client import Client

    from governance.policy import load_policy
    from lib.config import model_name as kit_model_name

    model_name = model_name or os.environ.get("KIT_SERVING_MODEL") or kit_model_name()
    stage = stage or os.environ.get("KIT_SERVING_STAGE") or load_policy().serving.stage
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
            "serve the version that holds it"
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


class LoadedModels:
    """The versions this process has loaded: the serving one, and a few it replaced."""

    def __init__(self, keep: int = KEEP_LOADED) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._serving: ServingModel | None = None
        self._loaded: OrderedDict[str, ServingModel] = OrderedDict()

    def register(self, model: ServingModel) -> ServingModel | None:
        """Make ``model`` the serving one, in one step; return the one it replaced."""
        with self._lock:
            previous, self._serving = self._serving, model
            self._loaded[model.model_version] = model
            self._loaded.move_to_end(model.model_version)
            while len(self._loaded) > self.keep:
                self._loaded.popitem(last=False)
        return previous

    @property
    def serving(self) -> ServingModel:
        """The serving model; raises ``NoServingModel`` before one was loaded."""
        with self._lock:
            if self._serving is None:
                raise NoServingModel("the serving model is not loaded yet")
            return self._serving

    def version(self, name: str) -> ServingModel:
        """The loaded model of version ``name`` (the serving one or one it replaced)."""
        with self._lock:
            found = self._loaded.get(str(name))
        if found is None:
            raise NoServingModel(f"version {name!r} is not loaded in this process")
        return found


LOADED = LoadedModels()
"""This process's loaded models (one registry per process, like ZenML's run context)."""


def serve_stage() -> LoadedModels:
    """``on_init`` hook: load the version holding the deployment's stage; return the registry.

    The return value becomes ZenML's pipeline state: a step finds there the model of the
    version its run is linked to (``pipeline_state.version(...)``).
    """
    load_serving_model()
    return LOADED


def register(model: ServingModel) -> ServingModel | None:
    """Make ``model`` the process's serving model, in one step; return the one it replaced."""
    return LOADED.register(model)


def current() -> ServingModel:
    """The process's serving model; raises ``NoServingModel`` before the init hook ran."""
    return LOADED.serving
