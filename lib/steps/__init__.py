"""ZenML steps of the kit, one per file, grouped by stage: etl, training, evaluation."""

from lib.steps.etl.load_data import load_data
from lib.steps.etl.split_data import split_data
from lib.steps.evaluation.compare_models import compare_models
from lib.steps.evaluation.recommend_promotion import recommend_promotion
from lib.steps.evaluation.score_models import score_models
from lib.steps.training.check_and_apply_pca import check_and_apply_pca
from lib.steps.training.check_and_apply_smote import check_and_apply_smote
from lib.steps.training.evaluate_model import evaluate_model
from lib.steps.training.log_training_metadata import log_training_metadata
from lib.steps.training.train_model import train_model

__all__ = [
    "check_and_apply_pca",
    "check_and_apply_smote",
    "compare_models",
    "evaluate_model",
    "load_data",
    "log_training_metadata",
    "recommend_promotion",
    "score_models",
    "split_data",
    "train_model",
]
