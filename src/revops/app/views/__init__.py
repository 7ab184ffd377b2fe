"""Typed view models: each page renders one, and its JSON twin under /api/v1 returns it."""
