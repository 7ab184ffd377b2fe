"""Statistical models with no warehouse in them: BG/NBD and Gamma-Gamma for buyers without
a contract, the churn model's fit and reasons. numpy, scipy and scikit-learn only; the
warehouse work that feeds them is in :mod:`revops.metrics.engines`."""
