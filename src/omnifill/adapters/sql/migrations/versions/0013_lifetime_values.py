"""lifetime values: predicted customer lifetime values (BG/NBD + Gamma-Gamma) and the run that fitted them

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-30 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
MONEY = sa.BigInteger()  # ScaledDecimal(4): money in ten-thousandths
revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lifetime_value_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("discount_rate", sa.Float(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("parameters", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifetime_value_runs")),
    )
    op.create_table(
        "customer_lifetime_values",
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=False),
        sa.Column("age_days", sa.Integer(), nullable=False),
        sa.Column("monetary_value", MONEY, nullable=False),
        sa.Column("expected_purchases", sa.Float(), nullable=False),
        sa.Column("probability_alive", sa.Float(), nullable=False),
        sa.Column("predicted_value", MONEY, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["lifetime_value_runs.id"],
                                name=op.f("fk_customer_lifetime_values_run_id_lifetime_value_runs")),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_lifetime_values")),
    )


def downgrade() -> None:
    op.drop_table("customer_lifetime_values")
    op.drop_table("lifetime_value_runs")
