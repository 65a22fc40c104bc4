"""ZenML's deployment service, with each ``/invoke`` run linked to the version that answers it.

ZenML's :class:`~zenml.deployers.server.service.PipelineDeploymentService` makes every request's
run from the deployment's snapshot, so every run would be linked to the model version the
snapshot names: the one that held the stage at deploy time. A deployment that follows its stage
(:mod:`lib.serving.follow`) serves other versions later. This subclass — selected with
``DeploymentSettings(deployment_service_class=...)``, ZenML's extension point for it — reads the
process's serving model once per request and names *that* version in the run's snapshot; the
step then scores with exactly that version (:func:`lib.serving.model.served`), even when the
model is swapped while the run is under way.
"""

from __future__ import annotations

from zenml.deployers.server.service import PipelineDeploymentService
from zenml.deployers.utils import deployment_snapshot_request_from_source_snapshot
from zenml.models import PipelineRunTriggerInfo
from zenml.pipelines import run_utils
from zenml.utils.pydantic_utils import update_model

from lib.serving.model import current


def pin_model_version(snapshot_request, model_name: str, version: str):
    """Name ``model_name`` ``version`` as the model of a run's snapshot request and its steps."""
    model = {"model": {"name": model_name, "version": version}}
    snapshot_request.pipeline_configuration = update_model(
        snapshot_request.pipeline_configuration, model, recursive=False
    )
    snapshot_request.step_configurations = {
        name: step.model_copy(update={"config": update_model(step.config, model, recursive=False)})
        for name, step in snapshot_request.step_configurations.items()
    }
    return snapshot_request


class FollowingDeploymentService(PipelineDeploymentService):
    """The default deployment service, except that a run names the version serving now."""

    def prepare_pipeline_run(self, request):
        """Create the run's snapshot and placeholder run, linked to the serving version."""
        serving = current()
        snapshot_request = deployment_snapshot_request_from_source_snapshot(
            source_snapshot=self.snapshot,
            run_name=request.run_name,
            deployment_parameters=request.parameters.model_dump(),
        )
        pin_model_version(snapshot_request, serving.model_name, serving.model_version)
        snapshot = self._client.zen_store.create_snapshot(snapshot_request)
        placeholder_run = run_utils.create_placeholder_run(
            snapshot=snapshot,
            trigger_info=PipelineRunTriggerInfo(deployment_id=self.deployment.id),
        )
        return placeholder_run, snapshot
