"""Fixtures for the real-time serving tests: servable model versions in the test store."""

from __future__ import annotations

import pytest
from serving_helpers import register_version


@pytest.fixture(scope="session")
def serving_model(zenml_store) -> str:
    """Model ``..._rt`` with version ``v1`` promoted to production by the real gates."""
    from governance.promotion import promote

    name = register_version("v1")
    promote(name, "v1", "production", reason="serving tests: first production version")
    return name
