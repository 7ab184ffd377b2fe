"""Engine sources: attribution (see revops.metrics.sources.engine)."""
