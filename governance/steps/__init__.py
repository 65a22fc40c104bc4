"""Gate steps that data scientists put in their pipelines; the policy decides what they refuse."""

from governance.steps.validate_data_quality import gate_data_quality, validate_data_quality
from governance.steps.validate_model_performance import validate_model_performance

__all__ = ["gate_data_quality", "validate_data_quality", "validate_model_performance"]
