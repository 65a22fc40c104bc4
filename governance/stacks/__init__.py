"""Stacks as code: Terraform for the GCP stacks (``gcp/``) and the local stacks' registration."""

from governance.stacks.local import LOCAL_ENVIRONMENTS, StackInfo, register_local_stacks

__all__ = ["LOCAL_ENVIRONMENTS", "StackInfo", "register_local_stacks"]
