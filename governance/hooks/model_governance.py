"""Init hook: refuse a governed run whose model name or tags break the policy.

An init hook that raises fails the run before any step runs; it is the only kind of hook that
can block (exceptions in success, failure, start, end and cleanup hooks are logged and
swallowed). :func:`governance.environments.governed` attaches it in staging and production.

ZenML registers the run's model version before the init hook runs. A refusal removes that
version again (and the model, when this run created it), so the registry is left as it was;
the failed run, its alert and the refusal stay visible.
"""

from __future__ import annotations

from zenml.logger import get_logger

from governance.checks import CheckResult, check_model_governance, failed
from governance.policy import load_policy

logger = get_logger(__name__)


class GovernanceError(RuntimeError):
    """A model breaks the naming or tagging policy; the message lists every breach."""

    def __init__(self, model_name: str, failures: list[CheckResult]) -> None:
        self.model_name = model_name
        self.failures = failures
        lines = "\n".join(f"  - {f.describe()}" for f in failures)
        super().__init__(
            f"model governance refused model {model_name!r}: "
            f"{len(failures)} policy breach(es)\n{lines}"
        )


def _configured_model() -> tuple[str, list[str]] | None:
    """Return the (name, tags) of the model in the running snapshot, when ZenML exposes it.

    Dynamic pipelines run the init hook inside a run context that holds the snapshot; on a
    static pipeline there is no such context and the kwargs given at attach time are used.
    """
    from zenml.execution.pipeline.dynamic.run_context import DynamicPipelineRunContext

    context = DynamicPipelineRunContext.get()
    model = context.snapshot.pipeline_configuration.model if context is not None else None
    if model is None:
        return None
    return model.name, [str(t) for t in (model.tags or [])]


def _discard_refused_version() -> None:
    """Delete the empty model version (and new model) the refused run registered."""
    from zenml.client import Client
    from zenml.execution.pipeline.dynamic.run_context import DynamicPipelineRunContext

    context = DynamicPipelineRunContext.get()
    if context is None:
        return
    client = Client()
    version = client.get_pipeline_run(context.run.id).model_version
    if version is None or client.list_artifact_versions(model_version_id=version.id).total:
        return
    if client.list_pipeline_runs(model_version_id=version.id).total > 1:
        return
    model = version.model
    client.delete_model_version(version.id)
    if model.created >= context.run.created and not client.list_model_versions(model.id).total:
        client.delete_model(model.id)
    logger.info("model governance: removed %s v%s, registered by the refused run", model.name,
                version.name)  # fmt: skip


def enforce_model_governance(
    model_name: str = "", model_tags: list[str] | None = None, environment: str = ""
) -> dict[str, str]:
    """Raise :class:`GovernanceError` if the run's model breaks the policy's naming/tag rules.

    Args:
        model_name: The model's name, recorded when the hook was attached.
        model_tags: The model's tags, recorded when the hook was attached.
        environment: The environment the run was governed for (for the log line).

    Returns:
        The checked model name and environment (stored by ZenML as the run's init state).
    """
    name, tags = model_name, list(model_tags or [])
    configured = _configured_model()
    if configured is not None:
        name, tags = configured
    results = check_model_governance(name, tags, load_policy().model)
    failures = failed(results)
    if failures:
        _discard_refused_version()
        raise GovernanceError(name, failures)
    logger.info("model governance: %r passes naming and tag rules (%s)", name, environment)
    return {"model_name": name, "environment": environment}
