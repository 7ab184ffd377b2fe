"""Engine sources: operations (see revops.metrics.sources.engine)."""
