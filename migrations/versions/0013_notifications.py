"""notifications: the outbox, the bell, preferences, periodic runs; residents' SMS choice

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dedupe_key", sa.String(160), nullable=False, unique=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("community.id"), nullable=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(60), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_sealed", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("locked_by", sa.String(60), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
    )
    op.create_index("ix_outbox_message_due", "outbox_message", ["status", "due_at"])
    op.create_index("ix_outbox_message_recipient", "outbox_message", ["recipient"])
    op.create_index("ix_outbox_message_report_id", "outbox_message", ["report_id"])
    op.create_index("ix_outbox_message_sent_at", "outbox_message", ["sent_at"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("dedupe_key", sa.String(160), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(300), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("report.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("user_id", "dedupe_key"),
    )
    op.create_index("ix_notification_user_created", "notification", ["user_id", "created_at"])
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("push", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column("desktop", sa.Boolean(), nullable=False),
        sa.Column("sound", sa.Boolean(), nullable=False),
        sa.Column("quiet_hours", sa.Boolean(), nullable=False),
        sa.Column("quiet_from", sa.Integer(), nullable=False),
        sa.Column("quiet_until", sa.Integer(), nullable=False),
    )
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
    )
    # Plain ADD COLUMN: a batch rebuild on SQLite would lose report's expression index.
    for table in ("report", "booking"):
        op.add_column(table, sa.Column("sms_updates", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
        op.add_column(table, sa.Column("sealed_link", sa.Text(), nullable=True))
        op.add_column(table, sa.Column("language", sa.String(8), nullable=False,
                                       server_default="zh"))


def _restore_queue_order_index() -> None:
    """SQLite's table rebuild drops the expression index; put it back as 0003 made it."""
    op.execute("DROP INDEX IF EXISTS ix_report_queue_order")
    op.create_index("ix_report_queue_order", "report", [
        "community_id", sa.text("(next_due_at IS NULL)"), "next_due_at",
        sa.text("priority DESC"), sa.text("id DESC")])


def downgrade():
    for table in ("booking", "report"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language")
            batch_op.drop_column("sealed_link")
            batch_op.drop_column("sms_updates")
    _restore_queue_order_index()
    op.drop_table("periodic_run")
    op.drop_table("notification_preference")
    op.drop_index("ix_notification_user_created", table_name="notification")
    op.drop_table("notification")
    for name in ("sent_at", "report_id", "recipient"):
        op.drop_index(f"ix_outbox_message_{name}", table_name="outbox_message")
    op.drop_index("ix_outbox_message_due", table_name="outbox_message")
    op.drop_table("outbox_message")
