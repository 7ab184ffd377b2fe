"""The shipped pack templates."""
