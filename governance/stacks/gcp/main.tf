# A ZenML stack on GCP for one kit environment: GCS artifact store, Artifact Registry,
# Cloud Build image builder and Vertex AI orchestrator, all reached through one GCP service
# connector backed by a dedicated, least-privilege service account.

locals {
  name = "${var.name_prefix}-${var.environment}"
  labels = merge(var.labels, {
    managed_by  = "terraform"
    kit         = "zenml-enterprise-mlops-kit"
    environment = var.environment
  })
  artifact_path = "gs://${google_storage_bucket.artifacts.name}/zenml"
  registry_uri  = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

resource "google_project_service" "apis" {
  for_each = toset([
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "iam.googleapis.com",
    "storage.googleapis.com",
  ])
  project            = var.project_id
  service            = each.key
  disable_on_destroy = false
}

# Artifacts: versioned so an overwritten or deleted artifact stays recoverable for audits.
resource "google_storage_bucket" "artifacts" {
  name                        = "${local.name}-${var.project_id}"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.artifact_retention_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_artifact_registry_repository" "images" {
  location      = var.region
  repository_id = "${local.name}-images"
  format        = "DOCKER"
  description   = "Images built from governance/docker for the ${var.environment} stack"
  labels        = local.labels
  depends_on    = [google_project_service.apis]
}

# The identity ZenML and the Vertex AI steps act as.
resource "google_service_account" "zenml" {
  account_id   = "${local.name}-runner"
  display_name = "ZenML ${var.environment} pipelines"
}

resource "google_storage_bucket_iam_member" "artifacts_rw" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.zenml.email}"
}

resource "google_artifact_registry_repository_iam_member" "images_rw" {
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.zenml.email}"
}

resource "google_project_iam_member" "runner_roles" {
  for_each = toset([
    "roles/aiplatform.user",
    "roles/cloudbuild.builds.editor",
  ])
  project = var.project_id
  role    = each.key
  member  = "serviceAccount:${google_service_account.zenml.email}"
}

# Vertex AI runs the steps as this same service account.
resource "google_service_account_iam_member" "runner_acts_as_itself" {
  service_account_id = google_service_account.zenml.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.zenml.email}"
}

resource "google_service_account_key" "zenml" {
  service_account_id = google_service_account.zenml.name
}

resource "zenml_service_connector" "gcp" {
  name        = "${local.name}-gcp"
  type        = "gcp"
  auth_method = "service-account"

  configuration = {
    project_id = var.project_id
  }

  secrets = {
    service_account_json = base64decode(google_service_account_key.zenml.private_key)
  }

  labels = local.labels
}

resource "zenml_stack_component" "artifact_store" {
  name   = "${local.name}-gcs"
  type   = "artifact_store"
  flavor = "gcp"

  configuration = {
    path = local.artifact_path
  }

  connector_id          = zenml_service_connector.gcp.id
  connector_resource_id = "gs://${google_storage_bucket.artifacts.name}"
  labels                = local.labels
}

resource "zenml_stack_component" "container_registry" {
  name   = "${local.name}-gar"
  type   = "container_registry"
  flavor = "gcp"

  configuration = {
    uri = local.registry_uri
  }

  connector_id          = zenml_service_connector.gcp.id
  connector_resource_id = local.registry_uri
  labels                = local.labels
}

resource "zenml_stack_component" "image_builder" {
  name   = "${local.name}-cloudbuild"
  type   = "image_builder"
  flavor = "gcp"

  configuration = {
    location      = var.region
    build_timeout = "3600"
  }

  connector_id          = zenml_service_connector.gcp.id
  connector_resource_id = var.project_id
  labels                = local.labels
}

resource "zenml_stack_component" "orchestrator" {
  name   = "${local.name}-vertex"
  type   = "orchestrator"
  flavor = "vertex"

  configuration = {
    location                 = var.region
    pipeline_root            = "gs://${google_storage_bucket.artifacts.name}/vertex"
    workload_service_account = google_service_account.zenml.email
    synchronous              = "true"
  }

  connector_id          = zenml_service_connector.gcp.id
  connector_resource_id = var.project_id
  labels                = local.labels
}

resource "zenml_stack" "kit" {
  name = local.name

  components = {
    artifact_store     = zenml_stack_component.artifact_store.id
    container_registry = zenml_stack_component.container_registry.id
    image_builder      = zenml_stack_component.image_builder.id
    orchestrator       = zenml_stack_component.orchestrator.id
  }

  labels = local.labels
}
