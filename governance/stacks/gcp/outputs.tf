output "zenml_stack_name" {
  description = "Activate it with: zenml stack set <name>"
  value       = zenml_stack.kit.name
}

output "zenml_stack_id" {
  description = "ID of the registered ZenML stack."
  value       = zenml_stack.kit.id
}

output "artifact_store_uri" {
  description = "GCS path of the artifact store."
  value       = local.artifact_path
}

output "container_registry_uri" {
  description = "Artifact Registry URI images are pushed to."
  value       = local.registry_uri
}

output "runner_service_account" {
  description = "Service account the pipelines run as."
  value       = google_service_account.zenml.email
}
