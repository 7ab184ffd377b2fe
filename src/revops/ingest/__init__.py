"""Data in: read source files, map them to the canonical model, validate, load."""
