# Pinned tool and provider versions for the kit's GCP stacks.
terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.0"
    }
    zenml = {
      source  = "zenml-io/zenml"
      version = "~> 3.0"
    }
  }

  # State lives in a GCS bucket per environment, chosen at init time:
  #   terraform init -backend-config="bucket=<state bucket>" -backend-config="prefix=zenml-kit/staging"
  # The state holds the connector's service-account key: keep that bucket private.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}

# The ZenML server this environment's stack is registered in. Staging registers in the
# dev-staging server, production in the production server (two servers, one lineage break).
# Set ZENML_SERVER_URL and ZENML_API_KEY (a service account's key) in the environment.
provider "zenml" {}
