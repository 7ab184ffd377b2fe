"""The built-in metric catalog, one YAML file per family (loaded as package data)."""
