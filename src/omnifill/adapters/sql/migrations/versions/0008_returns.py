"""returns: return authorizations (RMAs) with their lines, and the disposition of every unit received back

Revision ID: 0008
Revises: 0010
Create Date: 2026-11-30 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Frozen copies of the column types of this revision: migrations never import the live tables.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
# Money is an integer of 10^-4 units (ScaledDecimal).

revision: str = "0008"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "return_authorizations",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("order_id", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("location", sa.String(length=64), nullable=True),
        sa.Column("returns_location", sa.String(length=64), nullable=True),
        sa.Column("carrier", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("label_cost", sa.BigInteger(), nullable=True),
        sa.Column("label", JSON, nullable=True),
        sa.Column("expected_arrival", sa.Date(), nullable=True),
        sa.Column("replacement_order_id", sa.String(length=40), nullable=True),
        sa.Column("refund_method", sa.String(length=32), nullable=True),
        sa.Column("refund", JSON, nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_return_authorizations_order_id_orders")),
        sa.ForeignKeyConstraint(["replacement_order_id"], ["orders.id"],
                                name=op.f("fk_return_authorizations_replacement_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_authorizations")),
        sa.UniqueConstraint("replacement_order_id", name=op.f("uq_return_authorizations_replacement_order_id")),
    )
    op.create_index("ix_return_authorizations_order", "return_authorizations", ["order_id"], unique=False)
    op.create_index("ix_return_authorizations_status", "return_authorizations", ["status", "created_at"],
                    unique=False)
    op.create_table(
        "return_lines",
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_lines_quantity_positive")),
        sa.ForeignKeyConstraint(["return_id"], ["return_authorizations.id"],
                                name=op.f("fk_return_lines_return_id_return_authorizations")),
        sa.PrimaryKeyConstraint("return_id", "sku", name=op.f("pk_return_lines")),
    )
    op.create_table(
        "return_dispositions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("return_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=16), nullable=False),
        sa.Column("disposition", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_return_dispositions_quantity_positive")),
        sa.ForeignKeyConstraint(["location_id"], ["locations.id"],
                                name=op.f("fk_return_dispositions_location_id_locations")),
        sa.ForeignKeyConstraint(["return_id"], ["return_authorizations.id"],
                                name=op.f("fk_return_dispositions_return_id_return_authorizations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_dispositions")),
    )
    op.create_index("ix_return_dispositions_return", "return_dispositions", ["return_id"], unique=False)
    op.create_index("ix_return_dispositions_location", "return_dispositions", ["location_id", "id"], unique=False)
    op.create_index("ix_return_dispositions_received", "return_dispositions", ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_return_dispositions_received", table_name="return_dispositions")
    op.drop_index("ix_return_dispositions_location", table_name="return_dispositions")
    op.drop_index("ix_return_dispositions_return", table_name="return_dispositions")
    op.drop_table("return_dispositions")
    op.drop_table("return_lines")
    op.drop_index("ix_return_authorizations_status", table_name="return_authorizations")
    op.drop_index("ix_return_authorizations_order", table_name="return_authorizations")
    op.drop_table("return_authorizations")
