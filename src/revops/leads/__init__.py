"""Leads: scores from rules and a learned model with reasons, qualification by the
lifecycle stages' entry criteria, and acceptance (`ws.leads`)."""
