"""POS and customers: till sales and returns, their conflicts with online reservations, one customer profile

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-30 08:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MONEY = sa.BigInteger()  # ScaledDecimal(4): money in ten-thousandths
revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN (as in 0007): a batch copy would trip the foreign keys pointing at orders.
    # No foreign key: a merge re-points the column, and SQLite cannot add one to an existing table.
    op.add_column("orders", sa.Column("customer_id", sa.String(length=40), nullable=True))
    op.create_table(
        "customers",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("merged_into", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    op.create_table(
        "customer_identities",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_identities_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_customer_identities")),
    )
    op.create_index("ix_customer_identities_customer", "customer_identities", ["customer_id"], unique=False)
    op.create_index("ix_orders_customer", "orders", ["customer_id"], unique=False)
    op.create_table(
        "pos_transactions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("customer_id", sa.String(length=40), nullable=True),
        sa.Column("original_transaction_id", sa.String(length=128), nullable=True),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", JSON, nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_pos_transactions_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_transactions")),
        sa.UniqueConstraint("location_id", "transaction_id", name="uq_pos_transactions_location_id_transaction_id"),
    )
    op.create_index("ix_pos_transactions_customer", "pos_transactions", ["customer_id"], unique=False)
    op.create_table(
        "pos_transaction_lines",
        sa.Column("pos_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", MONEY, nullable=True),
        sa.Column("condition", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["pos_id"], ["pos_transactions.id"], name=op.f("fk_pos_transaction_lines_pos_id_pos_transactions")),
        sa.PrimaryKeyConstraint("pos_id", "line_no", name=op.f("pk_pos_transaction_lines")),
    )
    op.create_table(
        "pos_conflicts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("pos_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("units_short", sa.Integer(), nullable=False),
        sa.Column("rerouted", JSON, nullable=False),
        sa.Column("unbooked_units", sa.Integer(), nullable=False),
        sa.Column("sale_occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_pos_conflicts_location_id_locations")),
        sa.ForeignKeyConstraint(["pos_id"], ["pos_transactions.id"], name=op.f("fk_pos_conflicts_pos_id_pos_transactions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_conflicts")),
    )
    op.create_index("ix_pos_conflicts_location", "pos_conflicts", ["location_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_pos_conflicts_location", table_name="pos_conflicts")
    op.drop_table("pos_conflicts")
    op.drop_table("pos_transaction_lines")
    op.drop_index("ix_pos_transactions_customer", table_name="pos_transactions")
    op.drop_table("pos_transactions")
    op.drop_index("ix_orders_customer", table_name="orders")
    op.drop_index("ix_customer_identities_customer", table_name="customer_identities")
    op.drop_table("customer_identities")
    op.drop_table("customers")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as in 0007.
    op.drop_column("orders", "customer_id")
