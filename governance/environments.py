"""Apply the governance an environment calls for, from outside the pipeline code.

    from governance.environments import governed

    governed(training_pipeline.with_options(model=model), "staging")(variant="original")

``dev`` stamps the environment on the run and adds nothing else: no hooks, no alerts, and the gate
steps report without blocking. ``staging`` and ``production`` add:

- the model-governance **init hook** (blocks: the run fails before any step when the model's
  name or tags break the policy);
- one **alert** per run (``on_success``/``on_failure``) and the **metrics push** (``on_end``).

Run-level hooks fire once per run only on dynamic pipelines (``@pipeline(dynamic=True)``); on a
static pipeline ZenML copies them onto every step. ``governed`` therefore refuses a static
pipeline in an enforcing environment instead of sending one alert per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from governance.checks import GateError
from governance.context import ENVIRONMENT_KEY, normalise_environment
from governance.docker import docker_settings, stack_uses_docker
from governance.hooks.alerts import send_failure_alert, send_success_alert
from governance.hooks.model_governance import GovernanceError, enforce_model_governance
from governance.hooks.monitoring import push_run_metrics
from governance.policy import load_policy

if TYPE_CHECKING:
    from zenml.pipelines.pipeline_definition import Pipeline


def governed(pipeline: Pipeline, environment: str, docker: str = "standard") -> Pipeline:
    """Return a copy of ``pipeline`` configured for ``environment`` (``dev|staging|production``).

    Args:
        pipeline: A ZenML pipeline, already given its ``Model`` (``with_options(model=...)``).
        environment: Where the run happens; the policy says whether it enforces.
        docker: The platform Docker profile (``standard``, ``lightweight``, ``gpu``), attached
            when the active stack runs steps in containers (a remote orchestrator).

    Returns:
        ``pipeline.with_options(...)`` with the environment stamped in the run's ``extra``
        config, the Docker profile in its settings on a containerised stack and, where the
        policy enforces, the governance hooks attached.

    Raises:
        ValueError: Unknown environment; or an enforcing environment and a pipeline with no
            model or a static (non-dynamic) pipeline.
    """
    env = normalise_environment(environment)
    rules = load_policy().environment(env)
    extra = {ENVIRONMENT_KEY: env}
    profile = docker_settings(docker)  # validates the name on every stack
    settings = {"docker": profile} if stack_uses_docker() else {}
    if not rules.enforce:
        return pipeline.with_options(extra=extra, settings=settings)

    if not pipeline.is_dynamic:
        raise ValueError(
            f"pipeline {pipeline.name!r} is static: in {env} it needs @pipeline(dynamic=True) so "
            "the alert and metrics hooks run once per run (ZenML copies a static pipeline's "
            "run hooks onto every step)"
        )
    model = pipeline.configuration.model
    if model is None:
        raise ValueError(
            f"pipeline {pipeline.name!r} has no model: in {env} give it one with "
            "with_options(model=Model(name=..., tags=[...])) so governance can check it"
        )
    return pipeline.with_options(
        extra=extra,
        settings=settings,
        on_init=enforce_model_governance,
        on_init_kwargs={
            "model_name": model.name,
            "model_tags": [str(t) for t in (model.tags or [])],
            "environment": env,
        },
        on_success=send_success_alert,
        on_failure=send_failure_alert,
        on_end=push_run_metrics,
    )


@dataclass(frozen=True)
class RunOutcome:
    """How a governed run ended, for scripts and notebooks."""

    pipeline: str
    environment: str
    ok: bool
    status: str
    run_name: str | None = None
    run_id: str | None = None
    model: str | None = None
    error: str | None = None

    def describe(self) -> str:
        """Return a short human-readable summary."""
        head = f"{self.pipeline} in {self.environment}: {self.status}"
        if self.run_name:
            head += f" (run {self.run_name})"
        if self.model:
            head += f", model {self.model}"
        return f"{head}\n{self.error}" if self.error else head


def _refusal(error: BaseException) -> GateError | GovernanceError | None:
    """Return the gate or governance refusal behind ``error``, if that is what it is."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, (GateError, GovernanceError)):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def run_governed(
    pipeline: Pipeline, environment: str, docker: str = "standard", **parameters: Any
) -> RunOutcome:
    """Run ``governed(pipeline, environment)`` with ``parameters``; report refusals as results.

    A gate or the governance check refusing is an expected outcome: it comes back as
    ``ok=False`` with the refusal's message. Any other error propagates.
    """
    runnable = governed(pipeline, environment, docker=docker)
    env = normalise_environment(environment)
    try:
        run = runnable(**parameters)
    except Exception as error:  # noqa: BLE001 - narrowed just below
        refusal = _refusal(error)
        if refusal is None:
            raise
        from zenml.client import Client

        last = Client().get_pipeline(runnable.name).last_run
        return RunOutcome(
            pipeline=runnable.name,
            environment=env,
            ok=False,
            status="refused",
            run_name=last.name,
            run_id=str(last.id),
            error=str(refusal),
        )
    version = run.model_version
    return RunOutcome(
        pipeline=runnable.name,
        environment=env,
        ok=run.status.value == "completed",
        status=run.status.value,
        run_name=run.name,
        run_id=str(run.id),
        model=f"{version.model.name} v{version.name}" if version else None,
    )
