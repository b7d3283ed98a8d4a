"""Alembic migrations of the state database, applied when a store is first opened.

Two independent branches: `archive` (the article archive) and `history` (run
history and sent-once records). On SQLite each lives in its own file of the
state folder; on PostgreSQL both live in one database and one version table.
New revision: `alembic -c briefing/migrations/alembic.ini revision --head history@head -m …`.
"""
