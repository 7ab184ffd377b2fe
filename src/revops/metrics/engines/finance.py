"""Engine sources: finance (see revops.metrics.sources.engine)."""
