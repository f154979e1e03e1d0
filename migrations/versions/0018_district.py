"""district: districts, street offices, property companies across communities

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "district",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(length=40), nullable=False, unique=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
    )
    op.create_table(
        "street",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("district_id", sa.Integer(), sa.ForeignKey("district.id"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False, unique=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("district_id", "name"),
    )
    op.create_index("ix_street_district_id", "street", ["district_id"])
    op.create_table(
        "company",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("credit_code", sa.String(length=18), nullable=True, unique=True),
    )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("street_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_community_street_id", "street", ["street_id"], ["id"])
        batch_op.create_index("ix_community_street_id", ["street_id"])
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("company_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_organization_company_id", "company", ["company_id"],
                                    ["id"])
        batch_op.create_index("ix_organization_company_id", ["company_id"])


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_index("ix_organization_company_id")
        batch_op.drop_constraint("fk_organization_company_id", type_="foreignkey")
        batch_op.drop_column("company_id")
        batch_op.drop_column("phone")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index("ix_community_street_id")
        batch_op.drop_constraint("fk_community_street_id", type_="foreignkey")
        batch_op.drop_column("street_id")
    op.drop_table("company")
    op.drop_index("ix_street_district_id", table_name="street")
    op.drop_table("street")
    op.drop_table("district")
