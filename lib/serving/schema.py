"""The request and response of real-time inference.

A request is one patient's 30 measurements of cell nuclei from a digitised fine-needle aspirate
image, named exactly as scikit-learn names them (``"mean radius"``, ``"worst concave points"``,
...). Python attribute names replace spaces with underscores; the JSON names are the
scikit-learn ones (the attribute names are accepted too, as ZenML re-validates parameters
by attribute name; naming one feature both ways is refused).

Each measurement comes in three forms: ``mean`` (over all nuclei in the image), ``error`` (its
standard error) and ``worst`` (mean of the three largest values). The allowed range of every
field is the data-quality range of the platform's policy (``governance/policy.yaml``), so a
value the training gate would refuse is refused at the door too: a negative size, NaN, infinity,
an unknown or missing field are all answered with a 422 naming the field.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from governance.policy import load_policy
from lib.data import TARGET

MEASUREMENTS: dict[str, str] = {
    "radius": "distance from the centre to the perimeter, in image pixels",
    "texture": "standard deviation of the grey-scale values inside the nucleus, in grey levels",
    "perimeter": "length of the nucleus boundary, in image pixels",
    "area": "area of the nucleus, in square image pixels",
    "smoothness": "local variation in radius lengths (dimensionless)",
    "compactness": "perimeter squared / area - 1 (dimensionless)",
    "concavity": "severity of concave portions of the contour (dimensionless)",
    "concave points": "share of concave portions of the contour (dimensionless)",
    "symmetry": "symmetry of the nucleus (dimensionless)",
    "fractal dimension": "'coastline approximation' - 1 of the contour (dimensionless)",
}
"""What each of the ten measurements is, with its unit."""

FORMS: dict[str, str] = {
    "mean": "mean over the nuclei in the image",
    "error": "standard error over the nuclei in the image",
    "worst": "mean of the three largest values in the image",
}


def feature_names() -> list[str]:
    """The 30 scikit-learn feature names, in the dataset's order."""
    means = [f"mean {m}" for m in MEASUREMENTS]
    errors = [f"{m} error" for m in MEASUREMENTS]
    worsts = [f"worst {m}" for m in MEASUREMENTS]
    return means + errors + worsts


def attribute_name(feature: str) -> str:
    """``"mean concave points"`` -> ``"mean_concave_points"``."""
    return feature.replace(" ", "_")


def _describe(feature: str) -> str:
    if feature.startswith("mean "):
        form, measurement = "mean", feature[len("mean ") :]
    elif feature.startswith("worst "):
        form, measurement = "worst", feature[len("worst ") :]
    else:
        form, measurement = "error", feature[: -len(" error")]
    return f"{measurement.capitalize()}: {MEASUREMENTS[measurement]}; {FORMS[form]}."


def _one_name_each(cls, data):
    """Refuse a request naming one feature twice (``"mean radius"`` and ``"mean_radius"``)."""
    if isinstance(data, dict):
        for feature in feature_names():
            if feature in data and attribute_name(feature) in data and " " in feature:
                raise ValueError(
                    f"{feature!r} is given twice (also as {attribute_name(feature)!r})"
                )
    return data


def _build_features_model() -> type[BaseModel]:
    rules = load_policy().data_quality.columns
    fields = {}
    for feature in feature_names():
        rule = rules[feature]
        fields[attribute_name(feature)] = (
            float,
            Field(
                alias=feature,
                ge=rule.min,
                le=rule.max,
                allow_inf_nan=False,
                description=f"{_describe(feature)} Allowed range {rule.min:g} to {rule.max:g}.",
            ),
        )
    model = create_model(
        "BreastCancerFeatures",
        __config__=ConfigDict(
            extra="forbid",
            strict=True,
            frozen=True,
            serialize_by_alias=True,
            validate_by_alias=True,
            validate_by_name=True,
        ),
        __doc__="One patient's 30 nucleus measurements, named as in scikit-learn.",
        __module__=__name__,
        __validators__={"_one_name_per_feature": model_validator(mode="before")(_one_name_each)},
        **fields,
    )
    model.__qualname__ = "BreastCancerFeatures"
    return model


BreastCancerFeatures = _build_features_model()
"""The request model (built from the policy's ranges; see the module docstring)."""

assert TARGET not in feature_names()


def features_row(features: BaseModel) -> dict[str, float]:
    """The request as ``{scikit-learn name: value}``, ready for a one-row DataFrame."""
    row = features.model_dump(by_alias=True)
    if any(not math.isfinite(v) for v in row.values()):
        raise ValueError("features must be finite")
    return row


class Prediction(BaseModel):
    """What the service answers for one request."""

    model_config = ConfigDict(frozen=True, protected_namespaces=())

    request_id: str = Field(description="Unique id of this request; the run id on /invoke.")
    p_malignant: float = Field(ge=0.0, le=1.0, description="Predicted probability of malignancy.")
    predicted_class: Literal["malignant", "benign"] = Field(
        description="Class at the 0.5 threshold."
    )
    model_name: str = Field(description="Model Control Plane name of the serving model.")
    model_version: str = Field(description="Version name of the serving model.")
    stage: str = Field(description="The stage the version was loaded by.")
