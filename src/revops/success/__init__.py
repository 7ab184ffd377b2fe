"""Customer success: lifetime value (contractual and BG/NBD + Gamma-Gamma), the learned
churn model with reasons, accounts at risk and renewals (docs/success.md)."""

from revops.success.component import ClvResult, Success

__all__ = ["ClvResult", "Success"]
