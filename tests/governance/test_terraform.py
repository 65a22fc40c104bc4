"""The GCP stack Terraform parses (python-hcl2) and says what the platform promises."""

import re
from pathlib import Path

import hcl2
import pytest

pytestmark = pytest.mark.unit

STACK_DIR = Path(__file__).resolve().parents[2] / "governance" / "stacks" / "gcp"


def clean(value):
    """Strip python-hcl2's quoting and block markers so values read like Terraform."""
    if isinstance(value, dict):
        return {
            clean(k): clean(v)
            for k, v in value.items()
            if k not in ("__is_block__", "__comments__")
        }
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(name: str) -> dict:
    with (STACK_DIR / name).open() as handle:
        return clean(hcl2.load(handle))


@pytest.fixture(scope="module")
def config() -> dict:
    merged: dict = {}
    for path in sorted(STACK_DIR.glob("*.tf")):
        for key, blocks in parse(path.name).items():
            merged.setdefault(key, []).extend(blocks)
    return merged


def resources(config, kind: str) -> dict:
    found = {}
    for block in config["resource"]:
        for resource_type, named in block.items():
            if resource_type == kind:
                found.update(named)
    return found


def variables(config) -> dict:
    return {name: body for block in config["variable"] for name, body in block.items()}


def test_terraform_and_providers_are_pinned(config):
    (terraform,) = config["terraform"]
    assert re.match(r">= 1\.\d+\.\d+, < 2\.0\.0", terraform["required_version"])
    providers = terraform["required_providers"][0]
    assert providers["zenml"] == {"source": "zenml-io/zenml", "version": "~> 3.0"}
    assert providers["google"] == {"source": "hashicorp/google", "version": "~> 6.0"}
    assert "gcs" in terraform["backend"][0]


def test_every_variable_is_documented_typed_and_used(config):
    declared = variables(config)
    assert {"environment", "project_id", "region"} <= set(declared)
    for name, body in declared.items():
        assert body.get("description"), f"variable {name} has no description"
        assert body.get("type"), f"variable {name} has no type"
    text = "\n".join(p.read_text() for p in STACK_DIR.glob("*.tf"))
    used = set(re.findall(r"\bvar\.([a-z_]+)", text))
    assert used == set(declared), (
        f"unused: {set(declared) - used}, undeclared: {used - set(declared)}"
    )


def test_environment_is_limited_to_staging_and_production(config):
    validation = variables(config)["environment"]["validation"][0]
    assert '"staging", "production"' in validation["condition"]


def test_stack_has_vertex_gcs_artifact_registry_and_cloud_build(config):
    components = resources(config, "zenml_stack_component")
    kinds = {body["type"]: body["flavor"] for body in components.values()}
    assert kinds == {
        "artifact_store": "gcp",
        "container_registry": "gcp",
        "image_builder": "gcp",
        "orchestrator": "vertex",
    }
    assert components["artifact_store"]["configuration"]["path"] == "${local.artifact_path}"
    orchestrator = components["orchestrator"]["configuration"]
    assert orchestrator["workload_service_account"] == "${google_service_account.zenml.email}"
    (stack,) = resources(config, "zenml_stack").values()
    assert set(stack["components"]) == set(kinds)
    for body in components.values():
        assert body["connector_id"] == "${zenml_service_connector.gcp.id}"


def test_gcp_resources_are_private_versioned_and_labelled(config):
    (bucket,) = resources(config, "google_storage_bucket").values()
    assert bucket["uniform_bucket_level_access"] is True
    assert bucket["public_access_prevention"] == "enforced"
    assert bucket["versioning"][0]["enabled"] is True
    assert bucket["force_destroy"] is False
    (registry,) = resources(config, "google_artifact_registry_repository").values()
    assert registry["format"] == "DOCKER"
    for kind in ("google_storage_bucket", "google_artifact_registry_repository"):
        for body in resources(config, kind).values():
            assert body["labels"] == "${local.labels}"


def test_no_owner_or_editor_roles_are_granted(config):
    text = "\n".join(p.read_text() for p in STACK_DIR.glob("*.tf"))
    assert "roles/owner" not in text and "roles/editor" not in text


@pytest.mark.parametrize("example", ["staging.tfvars.example", "production.tfvars.example"])
def test_tfvars_examples_set_only_declared_variables(config, example):
    values = parse(example)
    declared = variables(config)
    assert set(values) <= set(declared)
    required = {name for name, body in declared.items() if "default" not in body}
    assert required <= set(values)
    assert values["environment"] == example.split(".")[0]
