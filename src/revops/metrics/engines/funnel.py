"""Engine sources: funnel (see revops.metrics.sources.engine)."""
