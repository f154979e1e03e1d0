"""Open311: API keys, reports filed through the API, category questions and their answers,
building coordinates, published photos

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("building", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))

    # Not in batch mode: recreating `report` on SQLite would lose its expression index.
    op.add_column("report", sa.Column("photos_public", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    op.create_table(
        "category_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("variable", sa.Boolean(), nullable=False),
        sa.Column("datatype", sa.String(length=20), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("description_zh", sa.String(length=300), nullable=False),
        sa.Column("description_en", sa.String(length=300), nullable=False),
        sa.Column("datatype_description_zh", sa.String(length=300), nullable=True),
        sa.Column("datatype_description_en", sa.String(length=300), nullable=True),
        sa.Column("values", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"],
                                name=op.f("fk_category_question_category_id_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_question")),
        sa.UniqueConstraint("category_id", "code",
                            name=op.f("uq_category_question_category_id")),
    )
    with op.batch_alter_table("category_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_question_category_id"), ["category_id"],
                              unique=False)

    op.create_table(
        "report_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["category_question.id"],
                                name=op.f("fk_report_answer_question_id_category_question")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_report_answer_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_answer")),
        sa.UniqueConstraint("report_id", "question_id",
                            name=op.f("uq_report_answer_report_id")),
    )
    with op.batch_alter_table("report_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_answer_question_id"), ["question_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_report_answer_report_id"), ["report_id"],
                              unique=False)

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("client_name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"],
                                name=op.f("fk_api_key_community_id_community")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"],
                                name=op.f("fk_api_key_created_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_community_id"), ["community_id"],
                              unique=False)

    op.create_table(
        "open311_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address_string", sa.String(length=300), nullable=True),
        sa.Column("media_url", sa.Text(), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("device_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["api_key_id"], ["api_key.id"],
                                name=op.f("fk_open311_request_api_key_id_api_key")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"],
                                name=op.f("fk_open311_request_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_request")),
        sa.UniqueConstraint("report_id", name=op.f("uq_open311_request_report_id")),
        sa.UniqueConstraint("token", name=op.f("uq_open311_request_token")),
    )
    with op.batch_alter_table("open311_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_request_api_key_id"), ["api_key_id"],
                              unique=False)


def downgrade():
    with op.batch_alter_table("open311_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_request_api_key_id"))
    op.drop_table("open311_request")

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_community_id"))
    op.drop_table("api_key")

    with op.batch_alter_table("report_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_answer_report_id"))
        batch_op.drop_index(batch_op.f("ix_report_answer_question_id"))
    op.drop_table("report_answer")

    with op.batch_alter_table("category_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_question_category_id"))
    op.drop_table("category_question")

    op.drop_column("report", "photos_public")  # SQLite 3.35+ drops a column in place

    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_column("updated_at")

    with op.batch_alter_table("building", schema=None) as batch_op:
        batch_op.drop_column("longitude")
        batch_op.drop_column("latitude")
