"""Engine sources: mrr (see revops.metrics.sources.engine)."""
