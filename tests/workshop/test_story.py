"""Which version chapter 03 promotes: chapter 01's newest trained one, never a storyline role."""

from __future__ import annotations

import uuid

import pytest
from zenml import Model, link_artifact_to_model, save_artifact
from zenml.client import Client
from zenml.enums import ArtifactType

from workshop.story import BASELINE_TAG, latest_candidate

pytestmark = pytest.mark.pipeline


def _version(model: str, tags: list[str], with_model: bool = True) -> str:
    mv = Client().create_model_version(model_name_or_id=model, tags=tags)
    if with_model:
        artifact = save_artifact(
            {"stand-in": "model"},
            name="model",
            artifact_type=ArtifactType.MODEL,
        )
        link_artifact_to_model(artifact, model=Model(name=model, version=mv.name))
    return mv.name


def test_the_candidate_skips_roles_empty_versions_and_the_production_holder(zenml_store):
    model = f"breast_cancer_classifier_c{uuid.uuid4().hex[:8]}"
    Client().create_model(name=model)
    trained = _version(model, [])
    released = _version(model, [])
    _version(model, [BASELINE_TAG])
    _version(model, [], with_model=False)  # a run refused before its first step
    assert latest_candidate(model).name == released
    Client().get_model_version(model, released).set_stage("production")
    assert latest_candidate(model).name == trained
    assert latest_candidate(model, released).name == released  # an explicit choice wins
