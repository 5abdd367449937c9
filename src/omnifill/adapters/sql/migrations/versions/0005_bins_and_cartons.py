"""bins and cartons: SKU dimensions, bins and what is placed in them, location layouts, pick waves, packed cartons

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("skus", schema=None) as batch_op:
        batch_op.add_column(sa.Column("length_cm", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("width_cm", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("height_cm", sa.BigInteger(), nullable=True))
    op.create_table(
        "bins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("aisle", sa.Integer(), nullable=False),
        sa.Column("shelf", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_bins_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bins")),
        sa.UniqueConstraint("location_id", "code", name="uq_bins_location_id_code"),
    )
    op.create_table(
        "bin_stock",
        sa.Column("bin_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_bin_stock_quantity_not_negative")),
        sa.ForeignKeyConstraint(["bin_id"], ["bins.id"], name=op.f("fk_bin_stock_bin_id_bins")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_bin_stock_sku_id_skus")),
        sa.PrimaryKeyConstraint("bin_id", "sku_id", name=op.f("pk_bin_stock")),
    )
    op.create_index("ix_bin_stock_sku", "bin_stock", ["sku_id", "bin_id"], unique=False)
    op.create_table(
        "location_layouts",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"],
                                name=op.f("fk_location_layouts_location_id_locations")),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_location_layouts")),
    )
    op.create_table(
        "pick_waves",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"], name=op.f("fk_pick_waves_location_id_locations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_waves")),
    )
    op.create_table(
        "pick_wave_fulfillments",
        sa.Column("fulfillment_id", sa.String(length=40), nullable=False),
        sa.Column("wave_id", sa.String(length=40), nullable=False),
        sa.Column("bins", JSON, nullable=False),
        sa.ForeignKeyConstraint(["fulfillment_id"], ["fulfillment_orders.id"],
                                name=op.f("fk_pick_wave_fulfillments_fulfillment_id_fulfillment_orders")),
        sa.ForeignKeyConstraint(["wave_id"], ["pick_waves.id"], name=op.f("fk_pick_wave_fulfillments_wave_id_pick_waves")),
        sa.PrimaryKeyConstraint("fulfillment_id", name=op.f("pk_pick_wave_fulfillments")),
    )
    op.create_index("ix_pick_wave_fulfillments_wave", "pick_wave_fulfillments", ["wave_id"], unique=False)
    op.create_table(
        "fulfillment_cartons",
        sa.Column("fulfillment_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("carton", sa.String(length=64), nullable=False),
        sa.Column("length_cm", sa.BigInteger(), nullable=False),
        sa.Column("width_cm", sa.BigInteger(), nullable=False),
        sa.Column("height_cm", sa.BigInteger(), nullable=False),
        sa.Column("weight_kg", sa.BigInteger(), nullable=False),
        sa.Column("lines", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["fulfillment_id"], ["fulfillment_orders.id"],
                                name=op.f("fk_fulfillment_cartons_fulfillment_id_fulfillment_orders")),
        sa.PrimaryKeyConstraint("fulfillment_id", "number", name=op.f("pk_fulfillment_cartons")),
    )


def downgrade() -> None:
    op.drop_table("fulfillment_cartons")
    op.drop_index("ix_pick_wave_fulfillments_wave", table_name="pick_wave_fulfillments")
    op.drop_table("pick_wave_fulfillments")
    op.drop_table("pick_waves")
    op.drop_table("location_layouts")
    op.drop_index("ix_bin_stock_sku", table_name="bin_stock")
    op.drop_table("bin_stock")
    op.drop_table("bins")
    # Plain ALTER TABLE … DROP COLUMN (SQLite 3.35+), as in 0002: a batch copy would fight the foreign keys.
    op.drop_column("skus", "height_cm")
    op.drop_column("skus", "width_cm")
    op.drop_column("skus", "length_cm")
