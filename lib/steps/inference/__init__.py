"""Steps of the batch inference pipeline."""
