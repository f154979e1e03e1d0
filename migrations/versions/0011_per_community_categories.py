"""categories: per-community SLA targets, routing, canned replies and questions

Before this, a community's admin changed a category's SLA targets, routing, canned replies
and extra questions for every community. Now a row without a community is a shared default and a community's own
row wins in that community only. The rows that exist stay shared defaults: which community
made them is not recorded.

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SHARED = sa.text("community_id IS NULL")
OWN = sa.text("community_id IS NOT NULL")


def upgrade():
    op.create_table(
        "category_setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("routing", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["category_id"], ["category.id"],
                                name=op.f("fk_category_setting_category_id_category")),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"],
                                name=op.f("fk_category_setting_community_id_community")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_setting")),
        sa.UniqueConstraint("community_id", "category_id",
                            name=op.f("uq_category_setting_community_id")),
    )
    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_setting_category_id"), ["category_id"],
                              unique=False)

    with op.batch_alter_table("sla_target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_sla_target_community_id_community"),
                                    "community", ["community_id"], ["id"])
        batch_op.drop_constraint(batch_op.f("uq_sla_target_category_id"), type_="unique")
        batch_op.create_index("uq_sla_target_shared", ["category_id", "milestone"],
                              unique=True, sqlite_where=SHARED, postgresql_where=SHARED)
        batch_op.create_index("uq_sla_target_community",
                              ["community_id", "category_id", "milestone"], unique=True,
                              sqlite_where=OWN, postgresql_where=OWN)

    with op.batch_alter_table("canned_reply", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_canned_reply_community_id_community"),
                                    "community", ["community_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_canned_reply_community_id"), ["community_id"],
                              unique=False)

    with op.batch_alter_table("category_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("community_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_category_question_community_id_community"),
                                    "community", ["community_id"], ["id"])
        batch_op.drop_constraint(batch_op.f("uq_category_question_category_id"),
                                 type_="unique")
        batch_op.create_index("uq_category_question_shared", ["category_id", "code"],
                              unique=True, sqlite_where=SHARED, postgresql_where=SHARED)
        batch_op.create_index("uq_category_question_community",
                              ["community_id", "category_id", "code"], unique=True,
                              sqlite_where=OWN, postgresql_where=OWN)


def downgrade():
    """A community's own targets and replies go: only the shared defaults fit the old
    schema. A community's own questions become shared (their answers keep them), their code
    made unique with their id."""
    op.execute("UPDATE category_question SET code = substr(code, 1, 30) || '-' || id "
               "WHERE community_id IS NOT NULL")
    with op.batch_alter_table("category_question", schema=None) as batch_op:
        batch_op.drop_index("uq_category_question_community", sqlite_where=OWN,
                            postgresql_where=OWN)
        batch_op.drop_index("uq_category_question_shared", sqlite_where=SHARED,
                            postgresql_where=SHARED)
        batch_op.drop_constraint(batch_op.f("fk_category_question_community_id_community"),
                                 type_="foreignkey")
        batch_op.drop_column("community_id")
        batch_op.create_unique_constraint(batch_op.f("uq_category_question_category_id"),
                                          ["category_id", "code"])

    op.execute("DELETE FROM canned_reply WHERE community_id IS NOT NULL")
    with op.batch_alter_table("canned_reply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_canned_reply_community_id"))
        batch_op.drop_constraint(batch_op.f("fk_canned_reply_community_id_community"),
                                 type_="foreignkey")
        batch_op.drop_column("community_id")

    op.execute("DELETE FROM sla_target WHERE community_id IS NOT NULL")
    with op.batch_alter_table("sla_target", schema=None) as batch_op:
        batch_op.drop_index("uq_sla_target_community", sqlite_where=OWN, postgresql_where=OWN)
        batch_op.drop_index("uq_sla_target_shared", sqlite_where=SHARED,
                            postgresql_where=SHARED)
        batch_op.create_unique_constraint(batch_op.f("uq_sla_target_category_id"),
                                          ["category_id", "milestone"])
        batch_op.drop_constraint(batch_op.f("fk_sla_target_community_id_community"),
                                 type_="foreignkey")
        batch_op.drop_column("community_id")

    with op.batch_alter_table("category_setting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_setting_category_id"))
    op.drop_table("category_setting")
