"""Paths, state folders, the kit's environment and ZenML store selection.

Every path the kit uses is derived from ``PROJECT_ROOT`` (resolved from this file), so notebooks
and scripts behave the same from any working directory: JupyterLab, papermill started anywhere,
nbmake (which runs in the notebook's folder) and CI.

ZenML reads ``ZENML_CONFIG_PATH`` when its global configuration is first created, so
:func:`bootstrap` must run before the first ``Client()`` call. ``import lib`` runs it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding ``pyproject.toml``)."""

STATE_DIR: Path = Path(os.environ.get("KIT_STATE_DIR") or PROJECT_ROOT / "state").resolve()
"""The one git-ignored folder holding all kit state. ``make reset`` empties it."""

BUILD_DIR: Path = STATE_DIR / "build"
"""Executed notebooks, their HTML and reports."""

NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"

ENVIRONMENTS: tuple[str, ...] = ("dev", "staging", "production")
"""Where a run happens. ``dev`` is fast and quiet; the others get full governance."""

MODEL_NAME: str = "breast_cancer_classifier"
"""The Model Control Plane name every chapter works on (plus an optional learner suffix)."""


def default_zenml_config_dir(side: str = "dev-staging") -> Path:
    """Return the kit's own ZenML config folder for one side (``dev-staging`` or ``production``)."""
    return STATE_DIR / "zenml" / side


def model_name(suffix: str = "") -> str:
    """Return the model name, with a learner suffix in a shared workshop store (``_ada``).

    The suffix is lower-cased and anything but letters and digits becomes ``_``, so a learner
    typing ``Ada L.`` gets ``breast_cancer_classifier_ada_l``, which the policy's naming rule
    accepts.
    """
    cleaned = re.sub(r"[^a-z0-9]+", "_", suffix.strip().lower()).strip("_")
    return f"{MODEL_NAME}_{cleaned}" if cleaned else MODEL_NAME


def bootstrap() -> None:
    """Point ZenML at the kit's own state unless the user chose a config or store.

    A user's ``ZENML_CONFIG_PATH`` or ``ZENML_STORE_URL`` always wins; otherwise the kit never
    touches the user's global ZenML configuration.
    """
    if "ZENML_CONFIG_PATH" not in os.environ and "ZENML_STORE_URL" not in os.environ:
        config_dir = default_zenml_config_dir()
        config_dir.mkdir(parents=True, exist_ok=True)
        os.environ["ZENML_CONFIG_PATH"] = str(config_dir)
    os.environ.setdefault("ZENML_REPOSITORY_PATH", str(PROJECT_ROOT))
    os.environ.setdefault("ZENML_ANALYTICS_OPT_IN", "false")
    # With rich tracebacks on, nbmake reports a failing notebook as passed.
    os.environ.setdefault("ZENML_ENABLE_RICH_TRACEBACK", "false")
    os.environ.setdefault("ZENML_AUTO_OPEN_DASHBOARD", "false")
    # Plain log lines: colour codes are noise in notebook outputs, HTML reports and CI logs.
    os.environ.setdefault("ZENML_LOGGING_COLORS_DISABLED", "true")
    # In a dynamic pipeline ZenML uploads every plain value passed to a step as an artifact
    # unless it fits under this size (bytes); small flags and thresholds stay step parameters.
    os.environ.setdefault("ZENML_PARAMETER_SIZE_THRESHOLD", "4096")
