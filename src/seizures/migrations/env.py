"""Alembic's entry point: always called from seizures.migrations with an open connection (no offline mode)."""

from alembic import context

from seizures import schema

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=schema.metadata)
with context.begin_transaction():
    context.run_migrations()
