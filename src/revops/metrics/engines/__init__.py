"""Engine sources: Python functions that build rows for metrics (revops.metrics.sources)."""
