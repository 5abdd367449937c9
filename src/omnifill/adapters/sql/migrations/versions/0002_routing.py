"""routing: ship cut-offs, order promises, profiles, decisions, backorders, waves, opportunity costs

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A constant server default lets SQLite add the column in place (no table copy) and fills existing rows.
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ship_cutoff", sa.String(length=5), server_default="15:00", nullable=False))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("promised_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("routing_profile", sa.String(length=64), nullable=True))

    op.create_table(
        "routing_profiles",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_routing_profiles")),
    )
    op.create_table(
        "routing_decisions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_routing_decisions_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_decisions")),
        sa.UniqueConstraint("order_id", "sequence", name="uq_routing_decisions_order_id_sequence"),
    )
    op.create_table(
        "backorders",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_backorders_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_backorders_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backorders")),
    )
    with op.batch_alter_table("backorders", schema=None) as batch_op:
        batch_op.create_index("ix_backorders_status", ["status", "id"], unique=False)
        batch_op.create_index("ix_backorders_order", ["order_id"], unique=False)

    op.create_table(
        "routing_waves",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_waves")),
    )
    op.create_table(
        "opportunity_costs",
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("per_unit", sa.Float(), nullable=False),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_opportunity_costs_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["skus.id"], name=op.f("fk_opportunity_costs_sku_id_skus")
        ),
        sa.PrimaryKeyConstraint("sku_id", "location_id", name=op.f("pk_opportunity_costs")),
    )


def downgrade() -> None:
    op.drop_table("opportunity_costs")
    op.drop_table("routing_waves")
    with op.batch_alter_table("backorders", schema=None) as batch_op:
        batch_op.drop_index("ix_backorders_order")
        batch_op.drop_index("ix_backorders_status")

    op.drop_table("backorders")
    op.drop_table("routing_decisions")
    op.drop_table("routing_profiles")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy would drop and rename `orders`, which the
    # foreign keys of its child rows refuse while SQLite enforces them.
    op.drop_column("orders", "routing_profile")
    op.drop_column("orders", "promised_by")
    op.drop_column("locations", "ship_cutoff")
