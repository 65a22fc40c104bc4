"""The kit's ZenML pipelines."""

from lib.pipelines.training import DEFAULT_TAGS, training_model, training_pipeline

__all__ = ["DEFAULT_TAGS", "training_model", "training_pipeline"]
