"""private link tokens and submission keys stored as SHA-256 digests

Existing values are replaced by their digests, so existing tracking and booking links keep
working. Downgrade keeps the digests (the tokens themselves cannot be recovered): links made
before the downgrade stop working.

Revision ID: 0007
Revises: 0006
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# table: [(old column, new column)]
RENAMES = {
    "report": [("tracking_token", "tracking_token_hash"),
               ("submission_key", "submission_key_hash")],
    "booking": [("token", "token_hash"), ("submission_key", "submission_key_hash")],
}


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _hash_values(table: str, columns: list[str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM {table}")).all()
    if not rows:
        return
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    connection.execute(sa.text(f"UPDATE {table} SET {assignments} WHERE id = :id"), [
        {"id": row[0], **{c: _digest(v) for c, v in zip(columns, row[1:], strict=True)}}
        for row in rows])


def _rename(table: str, pairs: list[tuple[str, str]]) -> None:
    # Two batches: SQLite rebuilds the table, and a constraint on a column renamed in the
    # same batch is lost.
    with op.batch_alter_table(table, schema=None) as batch_op:
        for old, new in pairs:
            batch_op.drop_constraint(f"uq_{table}_{old}", type_="unique")
            batch_op.alter_column(old, new_column_name=new, existing_type=sa.String(length=64),
                                  existing_nullable=False)
    with op.batch_alter_table(table, schema=None) as batch_op:
        for _old, new in pairs:
            batch_op.create_unique_constraint(f"uq_{table}_{new}", [new])
    if table == "report" and op.get_bind().dialect.name == "sqlite":
        _restore_queue_order_index()


def _restore_queue_order_index() -> None:
    """SQLite's table rebuild cannot carry an expression index over (see 0003)."""
    op.execute("DROP INDEX IF EXISTS ix_report_queue_order")
    op.create_index("ix_report_queue_order", "report", [
        "community_id", sa.text("(next_due_at IS NULL)"), "next_due_at",
        sa.text("priority DESC"), sa.text("id DESC")])


def upgrade():
    for table, pairs in RENAMES.items():
        _hash_values(table, [old for old, _new in pairs])
        _rename(table, pairs)


def downgrade():
    for table, pairs in RENAMES.items():
        _rename(table, [(new, old) for old, new in pairs])
