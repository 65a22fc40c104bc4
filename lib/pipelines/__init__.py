"""The kit's ZenML pipelines."""

from lib.pipelines.champion_challenger import (
    ChampionChallengerReport,
    champion_challenger_pipeline,
    compare_champion_challenger,
)
from lib.pipelines.training import DEFAULT_TAGS, training_model, training_pipeline

__all__ = [
    "DEFAULT_TAGS",
    "ChampionChallengerReport",
    "champion_challenger_pipeline",
    "compare_champion_challenger",
    "training_model",
    "training_pipeline",
]
