"""Steps that compare a production champion with a staging challenger."""
