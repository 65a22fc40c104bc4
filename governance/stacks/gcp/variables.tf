# Inputs of the kit's GCP stack. One apply per environment, each with its own tfvars file
# and state prefix (see staging.tfvars.example and production.tfvars.example).

variable "environment" {
  type        = string
  description = "Which kit environment this stack serves: staging or production. Used in every resource name and label."

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production (dev runs on the local stack)."
  }
}

variable "project_id" {
  type        = string
  description = "GCP project that hosts the stack (one project per environment is recommended)."
}

variable "region" {
  type        = string
  description = "GCP region for the bucket, the Artifact Registry repository and Vertex AI pipelines."
  default     = "europe-west4"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource and ZenML component name; short enough for service-account ids (30 characters)."
  default     = "zenml-kit"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,11}$", var.name_prefix))
    error_message = "name_prefix must be 3-12 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "artifact_retention_days" {
  type        = number
  description = "Days a non-current artifact object version is kept before deletion (audit window)."
  default     = 365
}

variable "labels" {
  type        = map(string)
  description = "Extra labels put on every GCP resource and ZenML component (cost centre, owner team)."
  default     = {}
}
