"""Alembic migrations of the app database, run by :meth:`revops.app.db.AppDatabase.migrate`."""
