"""Run by Alembic inside the transaction briefing/state.py opened (and locked) for it."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("briefing applies its migrations itself, when a store is opened")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
