"""Pipeline analytics."""
