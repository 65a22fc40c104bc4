"""The three Docker profiles remote stacks build images from.

- ``STANDARD``: the kit and all its dependencies on ``python:3.11-slim`` (training, promotion).
- ``LIGHTWEIGHT``: runtime dependencies only (batch and real-time inference): a smaller image.
- ``GPU``: the standard install on an NVIDIA CUDA runtime base, for learners that use a GPU.

All three build ``governance/docker/Dockerfile`` from the repository root; the profile only
changes its build arguments. :func:`governance.environments.governed` attaches the chosen
profile whenever the active stack builds images (:func:`stack_uses_docker`), so the same
pipeline runs unchanged when its stack becomes remote; on the local orchestrator nothing is
containerised and no settings are attached. Choose a profile per pipeline or per step::

    pipeline.with_options(settings={"docker": docker_settings("lightweight")})
    @step(settings={"docker": GPU})
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zenml.config import DockerSettings
from zenml.config.docker_settings import DockerBuildConfig, DockerBuildOptions

DOCKER_DIR: Path = Path(__file__).resolve().parent
DOCKERFILE: Path = DOCKER_DIR / "Dockerfile"
DOCKERIGNORE: Path = DOCKER_DIR / "dockerignore"
BUILD_CONTEXT: Path = DOCKER_DIR.parents[1]
"""The repository root (the Dockerfile copies ``pyproject.toml``, ``lib/`` and ``governance/``)."""

PYTHON_BASE = "python:3.11-slim-bookworm"
CUDA_BASE = "nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04"

_RUNTIME_ENVIRONMENT = {
    "ZENML_ANALYTICS_OPT_IN": "false",
    "ZENML_ENABLE_RICH_TRACEBACK": "false",
    "ZENML_LOGGING_COLORS_DISABLED": "true",
}


def _profile(name: str, base_image: str, install: str) -> DockerSettings:
    return DockerSettings(
        dockerfile=str(DOCKERFILE),
        build_context_root=str(BUILD_CONTEXT),
        parent_image_build_config=DockerBuildConfig(
            dockerignore=str(DOCKERIGNORE),
            build_options=DockerBuildOptions(
                build_args={"BASE_IMAGE": base_image, "INSTALL_PROFILE": install},
                labels={
                    "org.opencontainers.image.title": f"zenml-kit-{name}",
                    "org.opencontainers.image.source": "governance/docker/Dockerfile",
                },
            ),
        ),
        # Dependencies are baked into the image; don't let ZenML guess from the source root.
        disable_automatic_requirements_detection=True,
        # The stack's integrations (GCS, Vertex AI clients) are added by ZenML on top.
        install_stack_requirements=True,
        target_repository=f"zenml-kit-{name}",
        environment=dict(_RUNTIME_ENVIRONMENT),
    )


STANDARD: DockerSettings = _profile("standard", PYTHON_BASE, "standard")
LIGHTWEIGHT: DockerSettings = _profile("lightweight", PYTHON_BASE, "lightweight")
GPU: DockerSettings = _profile("gpu", CUDA_BASE, "standard")

PROFILES: dict[str, DockerSettings] = {
    "standard": STANDARD,
    "lightweight": LIGHTWEIGHT,
    "gpu": GPU,
}


def stack_uses_docker(stack: Any | None = None) -> bool:
    """Return True when ``stack`` (default: the active stack) runs steps in containers.

    The same rule ZenML's compiler applies: a non-local orchestrator, any step operator, or a
    non-local deployer.
    """
    if stack is None:
        from zenml.client import Client

        stack = Client().active_stack
    deployer = getattr(stack, "deployer", None)
    return (
        stack.orchestrator.flavor != "local"
        or stack.step_operator is not None
        or (deployer is not None and deployer.flavor != "local")
    )


def docker_settings(profile: str = "standard") -> DockerSettings:
    """Return the Docker settings of ``profile`` (``standard``, ``lightweight`` or ``gpu``)."""
    try:
        return PROFILES[profile.strip().lower()]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown Docker profile {profile!r}; use one of: {known}") from None
