"""The training pipeline: data → quality gate → split → SMOTE? → scaler/PCA? → train → evaluate.

There is no ``if`` on a step output here. The SMOTE and PCA decisions are taken *inside* their
steps, on the data they receive, so every run has the same graph of steps and artifacts: runs
compare side by side, audits read one shape, and the body would compile unchanged as a static
pipeline (where step outputs are only promises when the graph is built).

The pipeline is declared ``dynamic=True`` because ZenML fires run-level hooks once per run only
for dynamic pipelines (a static pipeline copies them onto every step), and the platform's alerts
must fire once per run. Governance hooks are not attached here: the environment decides them,
see ``governance.environments.governed``."""

from __future__ import annotations

from zenml import Model, pipeline

from governance.steps import validate_data_quality, validate_model_performance
from lib.config import model_name
from lib.steps import (
    check_and_apply_pca,
    check_and_apply_smote,
    evaluate_model,
    load_data,
    log_training_metadata,
    split_data,
    train_model,
)

DEFAULT_TAGS: tuple[str, ...] = ("use_case:breast_cancer", "owner_team:ml-platform")
"""Tags a data scientist declares on every version; the policy says which are required."""


def training_model(suffix: str = "", tags: list[str] | None = None) -> Model:
    """Return the Model Control Plane entry a training run registers a new version of.

    Args:
        suffix: learner suffix, so a shared workshop store keeps one model per learner.
        tags: version tags; defaults to :data:`DEFAULT_TAGS`.
    """
    return Model(
        name=model_name(suffix),
        tags=list(DEFAULT_TAGS if tags is None else tags),
        description=(
            "Classifies breast-tumour biopsies (30 cell-nucleus measurements from digitised "
            "fine-needle aspirate images) as malignant or benign."
        ),
        audience="Teaching: data scientists and platform engineers in regulated industries.",
        use_cases="Second reader for pathologists; flags cases for review. Not a diagnosis.",
        limitations=(
            "Trained on 569 cases from one clinical source (Wisconsin, 1990s); not validated on "
            "other populations, scanners or sites."
        ),
        trade_offs="Recall on malignant cases is preferred over precision.",
        ethics="A human clinician makes every decision; predictions are advisory.",
        license="Apache-2.0",
    )


@pipeline(model=training_model(), enable_cache=False, dynamic=True)
def training_pipeline(
    variant: str = "original",
    classifier: str = "logistic_regression",
    smote_threshold: float = 0.30,
    max_features: int = 50,
    test_size: float = 0.25,
    random_state: int = 42,
) -> None:
    """Train, evaluate and register a new version of the breast-cancer classifier."""
    dataset = load_data(variant=variant, random_state=random_state)
    dataset = validate_data_quality(dataset)
    X_train, X_test, y_train, y_test = split_data(
        dataset, test_size=test_size, random_state=random_state
    )
    X_train, y_train, smote_report = check_and_apply_smote(
        X_train, y_train, threshold=smote_threshold, random_state=random_state
    )
    preprocessor, pca_report = check_and_apply_pca(
        X_train, max_features=max_features, random_state=random_state
    )
    model = train_model(
        X_train, y_train, preprocessor, classifier=classifier, random_state=random_state
    )
    metrics = evaluate_model(model, X_test, y_test)
    metrics = validate_model_performance(metrics)
    log_training_metadata(
        dataset, metrics, smote_report, pca_report, variant=variant, classifier=classifier
    )
