"""Platform-managed Docker settings: data scientists pick a profile, never write a Dockerfile."""

from governance.docker.settings import (
    GPU,
    LIGHTWEIGHT,
    PROFILES,
    STANDARD,
    docker_settings,
    stack_uses_docker,
)

__all__ = ["GPU", "LIGHTWEIGHT", "PROFILES", "STANDARD", "docker_settings", "stack_uses_docker"]
