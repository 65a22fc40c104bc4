"""Helpers for the real-time serving tests (a uniquely named module: conftest is ambiguous)."""

from __future__ import annotations

from governance.health import free_port

__all__ = ["SUFFIX", "free_port", "register_version"]

SUFFIX = "rt"


def register_version(version_name: str, split_seed: int = 7, suffix: str = SUFFIX) -> str:
    """Fit a model, register it as ``version_name`` of the test model with what promotion reads.

    Its metrics are measured on a held-out split, its tags follow the policy and the training
    data-quality verdict is recorded, so the real promotion gates decide on it.
    """
    from sklearn.model_selection import train_test_split
    from zenml import Model, link_artifact_to_model, log_metadata, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import classification_metrics, fit_model
    from lib.pipelines.training import DEFAULT_TAGS
    from lib.preprocessing import build_preprocessor

    frame = load_frame("original")
    x_train, x_test, y_train, y_test = train_test_split(
        frame.drop(columns=[TARGET]),
        frame[TARGET],
        test_size=0.25,
        random_state=split_seed,
        stratify=frame[TARGET],
    )
    model = fit_model(build_preprocessor(x_train, 50, 0.95, 42), x_train, y_train)
    name = model_name(suffix)
    client = Client()
    try:
        client.get_model(name)
    except KeyError:
        client.create_model(name=name)
    client.create_model_version(model_name_or_id=name, name=version_name, tags=list(DEFAULT_TAGS))
    target = Model(name=name, version=version_name)
    link_artifact_to_model(
        save_artifact(model, name="model", artifact_type=ArtifactType.MODEL), model=target
    )
    log_metadata(
        metadata={
            **{k: float(v) for k, v in classification_metrics(model, x_test, y_test).items()},
            "data_quality": {"passed": True},
        },
        model_name=name,
        model_version=version_name,
    )
    return name
