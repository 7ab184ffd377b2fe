"""Engine sources: history (see revops.metrics.sources.engine)."""
