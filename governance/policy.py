"""The typed loader of ``governance/policy.yaml``, the single source of every rule and threshold.

Resolution order of the file: an explicit ``path`` argument, else the ``KIT_POLICY_PATH``
environment variable, else the ``policy.yaml`` packaged next to this module. A malformed policy
fails loudly (pydantic validation, unknown keys rejected) instead of silently relaxing a rule.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

POLICY_ENV_VAR = "KIT_POLICY_PATH"
PACKAGED_POLICY: Path = Path(__file__).resolve().parent / "policy.yaml"
MetricName = Literal["accuracy", "precision", "recall", "f1", "roc_auc"]
"""The held-out metrics a training run records, gates compare and reports show."""
METRIC_NAMES: tuple[str, ...] = get_args(MetricName)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: the same result, ~10x faster (every gate reads)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelRules(_Strict):
    """Naming and tagging rules for models in the Model Control Plane."""

    name_pattern: str
    required_tag_prefixes: tuple[str, ...]

    @field_validator("name_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class ColumnRule(_Strict):
    """One expected column: its dtype kind and inclusive value range."""

    dtype: Literal["float", "int"]
    min: float | None = None
    max: float | None = None


class DataQualityRules(_Strict):
    """Rules the data-quality gate applies to a dataset."""

    min_rows: int = Field(ge=0)
    max_missing_share: float = Field(ge=0, le=1)
    max_duplicate_share: float = Field(ge=0, le=1)
    allow_extra_columns: bool = True
    target_column: str
    target_values: tuple[int, ...]
    columns: dict[str, ColumnRule]


class Thresholds(_Strict):
    """Minimum metric values for one stage; metrics left out are not gated."""

    accuracy: float | None = Field(default=None, ge=0, le=1)
    precision: float | None = Field(default=None, ge=0, le=1)
    recall: float | None = Field(default=None, ge=0, le=1)
    f1: float | None = Field(default=None, ge=0, le=1)
    roc_auc: float | None = Field(default=None, ge=0, le=1)

    def minimums(self) -> dict[str, float]:
        """Return ``{metric: minimum}`` for the gated metrics only."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class PromotionRules(_Strict):
    """What a promotion does to the version it replaces in a stage."""

    on_replace: dict[Literal["staging", "production"], Literal["archive", "demote"]]

    @model_validator(mode="after")
    def _staging_archives(self) -> PromotionRules:
        missing = {"staging", "production"} - set(self.on_replace)
        if missing:
            raise ValueError(f"promotion.on_replace missing for: {', '.join(sorted(missing))}")
        if self.on_replace["staging"] != "archive":
            raise ValueError(
                "promotion.on_replace.staging must be 'archive': there is no stage below staging "
                "that several versions can share in ZenML OSS"
            )
        return self


class ChampionChallengerRules(_Strict):
    """Thresholds for comparing a production champion with a staging challenger."""

    min_agreement: float = Field(ge=0, le=1)
    max_mean_abs_prob_delta: float = Field(ge=0, le=1)
    primary_metric: MetricName
    min_metric_delta: float
    mcnemar_alpha: float = Field(gt=0, lt=1)


class EnvironmentRules(_Strict):
    """Whether an environment blocks on a breach and which stage's thresholds it applies."""

    enforce: bool
    stage: Literal["staging", "production"]


class NotificationSettings(_Strict):
    """Delivery settings for alerts and run metrics (never blocking)."""

    webhook_timeout_seconds: float = Field(gt=0, le=30)
    pushgateway_timeout_seconds: float = Field(gt=0, le=30)
    pushgateway_job: str


class ProductionPromotionRules(_Strict):
    """Rules of the staging → production promotion across servers or workspaces."""

    require_source_stage: Literal["staging", "production"] | None = "staging"
    reference_artifact: str = "X_train"
    import_lease_seconds: float = Field(default=600, gt=0)
    max_bundle_age: float = Field(
        default=7 * 86400, gt=0, description="Seconds; written as 90s, 30m, 12h or 7d."
    )

    @field_validator("max_bundle_age", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
            if not match:
                raise ValueError(f"max_bundle_age {value!r} is not a duration like 12h or 7d")
            unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
            return float(match.group(1)) * unit
        return value


class DriftRules(_Strict):
    """Thresholds of the drift check of a scoring batch against the training reference."""

    method: Literal["psi"] = "psi"
    bins: int = Field(default=10, ge=2, le=100)
    warn_psi: float = Field(default=0.10, ge=0)
    alert_psi: float = Field(default=0.25, ge=0)
    max_alert_share: float = Field(default=0.10, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> DriftRules:
        if self.alert_psi < self.warn_psi:
            raise ValueError("drift.alert_psi must be at least drift.warn_psi")
        return self


class ServingRules(_Strict):
    """Real-time serving: the stage served and how often it is checked, audit, body limit."""

    stage: Literal["staging", "production"] = "production"
    flush_every: int = Field(default=100, ge=1)
    flush_seconds: float = Field(default=10.0, gt=0)
    max_body_bytes: int = Field(default=65536, ge=1024)
    follow_seconds: float = Field(default=5.0, gt=0, le=20)


class Policy(_Strict):
    """The whole policy file, validated."""

    version: int
    model: ModelRules
    data_quality: DataQualityRules
    performance: dict[Literal["staging", "production"], Thresholds]
    promotion: PromotionRules
    champion_challenger: ChampionChallengerRules
    environments: dict[str, EnvironmentRules]
    notifications: NotificationSettings
    production_promotion: ProductionPromotionRules = ProductionPromotionRules()
    drift: DriftRules = DriftRules()
    serving: ServingRules = ServingRules()
    source: str = Field(default="", description="Path the policy was loaded from.")
    sha256: str = Field(default="", description="Hash of the policy file's bytes.")

    @model_validator(mode="after")
    def _complete(self) -> Policy:
        missing = {"staging", "production"} - set(self.performance)
        if missing:
            raise ValueError(f"performance thresholds missing for: {', '.join(sorted(missing))}")
        return self

    def thresholds_for(self, stage: str) -> dict[str, float]:
        """Return the minimum metrics of ``stage`` (``staging`` or ``production``)."""
        if stage not in self.performance:
            raise KeyError(f"no performance thresholds for stage {stage!r}")
        return self.performance[stage].minimums()

    def environment(self, name: str) -> EnvironmentRules:
        """Return the rules of environment ``name``; unknown names raise ``ValueError``."""
        if name not in self.environments:
            known = ", ".join(self.environments)
            raise ValueError(f"unknown environment {name!r}; the policy knows: {known}")
        return self.environments[name]


def policy_path(path: str | Path | None = None) -> Path:
    """Return the policy file to read: ``path``, else ``KIT_POLICY_PATH``, else the packaged one."""
    chosen = path or os.environ.get(POLICY_ENV_VAR) or PACKAGED_POLICY
    return Path(chosen).expanduser().resolve()


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate the policy.

    Args:
        path: A policy file to read; defaults to ``KIT_POLICY_PATH`` or the packaged policy.

    Returns:
        The validated, immutable policy, with its source path and content hash.
    """
    resolved = policy_path(path)
    raw = resolved.read_bytes()
    data = yaml.load(raw, Loader=_SAFE_LOADER) or {}
    if not isinstance(data, dict):
        raise ValueError(f"policy file {resolved} must hold a mapping at its top level")
    return Policy(**data, source=str(resolved), sha256=hashlib.sha256(raw).hexdigest())
