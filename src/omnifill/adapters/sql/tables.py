"""The schema, as SQLAlchemy Core tables. Alembic migrations create and change it; nothing else does."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB

from omnifill.adapters.sql.types import BigId, ScaledDecimal, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
Json = JSON().with_variant(JSONB(), "postgresql")
Money = ScaledDecimal(4)  # costs carry a moving average, so four places rather than cents
Timestamp = UtcDateTime()

skus = Table(
    "skus", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("gtin", String(14), unique=True),
    Column("unit_cost", Money, nullable=False),
    Column("unit_price", Money, nullable=False),
    Column("weight_kg", ScaledDecimal(3), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # Outer dimensions for carton choice; all three or none.
    Column("length_cm", ScaledDecimal(1)),
    Column("width_cm", ScaledDecimal(1)),
    Column("height_cm", ScaledDecimal(1)),
)

locations = Table(
    "locations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("postal_code", String(16), nullable=False),
    Column("country", String(2), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("capabilities", Json, nullable=False),
    Column("daily_order_capacity", Integer),
    Column("fulfillment_enabled", Boolean, nullable=False),
    Column("ship_cutoff", String(5), nullable=False, server_default="15:00"),  # local "HH:MM", 24-hour
    Column("address", String(200)),  # the street address told to customers who collect here
    Column("opening_hours", Json),  # {"mon": ["09:00", "21:00"], "sun": null, …}; null: the default week
    Column("service_radius_miles", Float),  # same-day orders beyond it are not sent from here
    Column("hourly_order_capacity", Integer),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

inventory_levels = Table(
    "inventory_levels", metadata,
    Column("sku_id", ForeignKey("skus.id"), primary_key=True),
    Column("location_id", ForeignKey("locations.id"), primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False),
    Column("safety_stock", Integer, nullable=False),
    Column("average_unit_cost", Money, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    # The database refuses an oversell even if a code path forgot to guard its update.
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
    CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
    CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
)
Index("ix_inventory_levels_location", inventory_levels.c.location_id, inventory_levels.c.sku_id)

inventory_movements = Table(
    "inventory_movements", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sku_id", ForeignKey("skus.id"), nullable=False),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("on_hand_delta", Integer, nullable=False),
    Column("reserved_delta", Integer, nullable=False),
    Column("on_hand_after", Integer, nullable=False),
    Column("reserved_after", Integer, nullable=False),
    Column("unit_cost", Money, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("order_id", String(40)),
    Column("occurred_at", Timestamp, nullable=False),
)
Index("ix_inventory_movements_level", inventory_movements.c.sku_id, inventory_movements.c.location_id)
Index("ix_inventory_movements_order", inventory_movements.c.order_id)

orders = Table(
    "orders", metadata,
    Column("id", String(40), primary_key=True),
    Column("channel", String(64), nullable=False),
    Column("external_id", String(128), nullable=False),
    Column("status", String(32), nullable=False),
    Column("customer", Json, nullable=False),
    Column("ship_to", Json),
    Column("delivery_method", String(16), nullable=False),
    Column("service_level", String(16)),
    Column("pickup_location", String(64)),
    Column("promised_by", Date),
    Column("routing_profile", String(64)),
    Column("curbside", Boolean, nullable=False, server_default=false()),  # a pickup brought out to the car
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("channel_data", Json),  # a channel adapter's information: totals, taxes, discounts as the channel sent
    Column("customer_id", String(40)),  # the customer profile its identities resolved to (customers.id)
    UniqueConstraint("channel", "external_id", name="uq_orders_channel_external_id"),
)
Index("ix_orders_status", orders.c.status, orders.c.id)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money, nullable=False),
)

fulfillment_orders = Table(
    "fulfillment_orders", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("pickup_code", String(12)),  # shown by the customer at the counter; set when ready for pickup
    Column("handed_over_by", String(100)),
    Column("handed_over_at", Timestamp),
    Column("ready_at", Timestamp),  # when a pickup became ready: the no-show hold counts from here
    Column("reminded_at", Timestamp),
    Column("carrier", String(64)),
    Column("tracking_number", String(64)),
    Column("handoff_method", String(32)),  # how the collector proved who they are (domain HandoffMethod)
    Column("arrived_at", Timestamp),  # the customer said they are here (curbside: with bay and vehicle)
    Column("curbside_bay", String(32)),
    Column("curbside_vehicle", String(100)),
)
Index("ix_fulfillment_orders_order", fulfillment_orders.c.order_id)
Index("ix_fulfillment_orders_location_status", fulfillment_orders.c.location_id, fulfillment_orders.c.status)

fulfillment_lines = Table(
    "fulfillment_lines", metadata,
    Column("fulfillment_id", ForeignKey("fulfillment_orders.id"), primary_key=True),
    Column("sku_id", ForeignKey("skus.id"), primary_key=True),
    Column("quantity", Integer, nullable=False),
)

outbox_events = Table(
    "outbox_events", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("type", String(64), nullable=False),
    Column("entity_type", String(32), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("payload", Json, nullable=False),
    Column("occurred_at", Timestamp, nullable=False),
    Column("published_at", Timestamp),  # when the relay positioned it (docs/EVENTS.md)
    Column("position", BigInteger),  # its place in the stream, in commit order; null until the relay runs
)
Index("ix_outbox_events_unpublished", outbox_events.c.published_at, outbox_events.c.id)
Index("ix_outbox_events_position", outbox_events.c.position, unique=True)
Index("ix_outbox_events_entity", outbox_events.c.entity_id)  # an order's timeline in the console

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("scope", String(100), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("order_id", String(40), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", String(40), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(100), nullable=False),
    Column("label", String(200)),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
)

# ------------------------------------------------------------------------------------------- routing

routing_profiles = Table(
    "routing_profiles", metadata,
    Column("name", String(64), primary_key=True),
    Column("body", Json, nullable=False),  # every field but the name (routing_repository.profile_body)
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Why each order went where it went: the initial decision, then one row per reroute or wave, in sequence.
routing_decisions = Table(
    "routing_decisions", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("kind", String(16), nullable=False),  # "initial" | "reroute" | "wave"
    Column("profile", String(64), nullable=False),
    Column("body", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("order_id", "sequence", name="uq_routing_decisions_order_id_sequence"),
)

backorders = Table(
    "backorders", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # domain/routing/backorders.py BackorderStatus
    Column("reason", String(200), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
Index("ix_backorders_status", backorders.c.status, backorders.c.id)
Index("ix_backorders_order", backorders.c.order_id)

routing_waves = Table(
    "routing_waves", metadata,
    Column("id", String(40), primary_key=True),
    Column("body", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# The look-ahead's input: what a unit of each SKU at each location is worth to future orders, from the last solve.
opportunity_costs = Table(
    "opportunity_costs", metadata,
    Column("sku_id", ForeignKey("skus.id"), primary_key=True),
    Column("location_id", ForeignKey("locations.id"), primary_key=True),
    Column("per_unit", Float, nullable=False),
    Column("solved_at", Timestamp, nullable=False),
)

# Fulfillments each location took per local day: what its daily order capacity is checked against. A counter
# taken with a guarded upsert, like stock, so two orders can never both take a location's last slot.
location_day_loads = Table(
    "location_day_loads", metadata,
    Column("location_id", ForeignKey("locations.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("fulfillments", Integer, nullable=False),
    CheckConstraint("fulfillments >= 0", name="fulfillments_not_negative"),
)

# ------------------------------------------------------------------------------------------- warehouse work

bins = Table(
    "bins", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("code", String(64), nullable=False),
    Column("zone", String(64), nullable=False),
    Column("aisle", Integer, nullable=False),
    Column("shelf", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    UniqueConstraint("location_id", "code", name="uq_bins_location_id_code"),
)

# Where a location's on-hand units are placed: put-away writes here, never the ledger.
bin_stock = Table(
    "bin_stock", metadata,
    Column("bin_id", ForeignKey("bins.id"), primary_key=True),
    Column("sku_id", ForeignKey("skus.id"), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    CheckConstraint("quantity >= 0", name="quantity_not_negative"),
)
Index("ix_bin_stock_sku", bin_stock.c.sku_id, bin_stock.c.bin_id)

# A location's floor (domain/bins.py Layout): where set, waves walk the shortest path over it.
location_layouts = Table(
    "location_layouts", metadata,
    Column("location_id", ForeignKey("locations.id"), primary_key=True),
    Column("body", Json, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

pick_waves = Table(
    "pick_waves", metadata,
    Column("id", String(40), primary_key=True),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("body", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# The wave that took each fulfillment (one at most: the key refuses a second) and the bins its units come from.
pick_wave_fulfillments = Table(
    "pick_wave_fulfillments", metadata,
    Column("fulfillment_id", ForeignKey("fulfillment_orders.id"), primary_key=True),
    Column("wave_id", ForeignKey("pick_waves.id"), nullable=False),
    Column("bins", Json, nullable=False),  # {SKU: [[bin code, units], …]}
)
Index("ix_pick_wave_fulfillments_wave", pick_wave_fulfillments.c.wave_id)

# The cartons a fulfillment was packed in, chosen at `pack`.
fulfillment_cartons = Table(
    "fulfillment_cartons", metadata,
    Column("fulfillment_id", ForeignKey("fulfillment_orders.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("carton", String(64), nullable=False),
    Column("length_cm", ScaledDecimal(1), nullable=False),
    Column("width_cm", ScaledDecimal(1), nullable=False),
    Column("height_cm", ScaledDecimal(1), nullable=False),
    Column("weight_kg", ScaledDecimal(3), nullable=False),  # contents and tare
    Column("lines", Json, nullable=False),  # [{"sku", "quantity"}]
    Column("created_at", Timestamp, nullable=False),
)

# ------------------------------------------------------------------------------------------- shipping

# A fulfillment's parcels on their way: one shipment per shipped fulfillment, with one tracking number.
shipments = Table(
    "shipments", metadata,
    Column("id", String(40), primary_key=True),
    Column("fulfillment_id", ForeignKey("fulfillment_orders.id"), nullable=False, unique=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("location_id", ForeignKey("locations.id"), nullable=False),  # where it left from
    Column("carrier", String(64), nullable=False),
    Column("service", String(16)),
    Column("tracking_number", String(64), nullable=False),
    Column("cost", Money),  # null when a dropship vendor paid its own carrier
    Column("promised_by", Date),  # the order's promise
    Column("estimated_delivery", Date),  # the carrier's estimate when omnifill bought the label
    Column("status", String(32), nullable=False),  # domain/shipping.py ShipmentStatus
    Column("on_time", Boolean),  # set on delivery
    Column("label", Json, nullable=False),  # what the carrier asked the label to show (zone, routing codes)
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("delivered_at", Timestamp),
    UniqueConstraint("carrier", "tracking_number", name="uq_shipments_carrier_tracking_number"),
)
Index("ix_shipments_order", shipments.c.order_id)
Index("ix_shipments_tracking_number", shipments.c.tracking_number)

shipment_parcels = Table(
    "shipment_parcels", metadata,
    Column("shipment_id", ForeignKey("shipments.id"), primary_key=True),
    Column("parcel_no", Integer, primary_key=True),
    Column("weight_kg", ScaledDecimal(3), nullable=False),
    Column("length_cm", ScaledDecimal(1)),
    Column("width_cm", ScaledDecimal(1)),
    Column("height_cm", ScaledDecimal(1)),
)

# What the carrier saw, in the order it was told: each tracking event as it came.
shipment_events = Table(
    "shipment_events", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("shipment_id", ForeignKey("shipments.id"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("occurred_at", Timestamp, nullable=False),
    Column("note", String(500)),
    Column("actor", String(100), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
)
Index("ix_shipment_events_shipment", shipment_events.c.shipment_id, shipment_events.c.id)

# The same per local hour, for a dark store's or micro-fulfillment center's hourly order capacity.
location_hour_loads = Table(
    "location_hour_loads", metadata,
    Column("location_id", ForeignKey("locations.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("hour", Integer, primary_key=True),
    Column("fulfillments", Integer, nullable=False),
    CheckConstraint("fulfillments >= 0", name="fulfillments_not_negative"),
)

# Messages to customers (pickup ready, reminder, expiry): written in the transaction that caused them, sent
# after it commits; the row records whether sending worked.
notifications = Table(
    "notifications", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),  # the template: pickup_ready, pickup_reminder, pickup_expired
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("fulfillment_id", String(40)),
    Column("recipient", String(320)),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending → sending → sent | failed
    Column("notifier", String(16)),  # which adapter sent it: log, smtp
    Column("error", String(500)),
    Column("created_at", Timestamp, nullable=False),
    Column("sent_at", Timestamp),
)
Index("ix_notifications_status", notifications.c.status, notifications.c.id)
Index("ix_notifications_order", notifications.c.order_id)

# The event stream (docs/EVENTS.md). The relay gives each committed outbox event its `position` (gap-free, in
# commit order) in one serialized step; readers page by position, never by id. A row per reader of the stream
# ("positions" for the relay itself, "broker:nats" for the broker relay) holds how far it has got.
event_cursors = Table(
    "event_cursors", metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

webhook_subscriptions = Table(
    "webhook_subscriptions", metadata,
    Column("id", String(40), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("event_types", Json, nullable=False),  # ["order.", "shipment.delivered"]; [] is every type
    Column("secret", String(200), nullable=False),  # kept to sign with; shown once, when created
    Column("description", String(200)),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("disabled_at", Timestamp),
)

# One row per (subscription, event): the relay writes it when it positions the event; workers send it.
webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("subscription_id", ForeignKey("webhook_subscriptions.id"), nullable=False),
    Column("event_id", ForeignKey("outbox_events.id"), nullable=False),
    Column("position", BigInteger, nullable=False),  # the event's, so one key's deliveries go in stream order
    Column("ordering_key", String(200), nullable=False),  # "order:<id>", or "<entity type>:<id>"
    Column("status", String(16), nullable=False),  # pending → sending → delivered | pending (retry) | dead
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),  # while sending: when a dead worker's claim lapses
    Column("last_status_code", Integer),
    Column("last_error", String(500)),
    Column("created_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),  # delivered or dead-lettered
    UniqueConstraint("subscription_id", "event_id"),
)
Index("ix_webhook_deliveries_due", webhook_deliveries.c.status, webhook_deliveries.c.next_attempt_at)
Index("ix_webhook_deliveries_queue", webhook_deliveries.c.subscription_id, webhook_deliveries.c.ordering_key,
      webhook_deliveries.c.position)
# ------------------------------------------------------------------------------------------- console

# People who sign in to the console (passwords as argon2id hashes) and their browser sessions (the cookie's
# token is stored only as a SHA-256 hash, like API keys).
console_users = Table(
    "console_users", metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(100), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", Timestamp, nullable=False),
)

console_sessions = Table(
    "console_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", ForeignKey("console_users.username"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
)
Index("ix_console_sessions_username", console_sessions.c.username)

# Sales channels as configured data. The secret is kept as given (not hashed): HMAC verification needs it.
channels = Table(
    "channels", metadata,
    Column("code", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("secret", String(500)),
    Column("allocation", Json),  # {"share": {kind: "0.8"}, "locations": {code: "0.5"}, "buffer": 2}; null: everything
    Column("pickup_locations", Json, nullable=False),  # the channel's pickup place → omnifill store code
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Payloads a channel sent that could not become an order (or a cancellation): kept whole, to replay after a fix.
channel_rejections = Table(
    "channel_rejections", metadata,
    Column("id", String(40), primary_key=True),
    Column("channel", ForeignKey("channels.code"), nullable=False),
    Column("topic", String(64), nullable=False),  # the webhook topic, or "import"
    Column("headers", Json, nullable=False),  # the few headers that say what the delivery was
    Column("body", LargeBinary, nullable=False),  # the raw bytes, exactly as received
    Column("error_field", String(300), nullable=False),  # the JSON path in the payload that failed
    Column("error_message", String(500), nullable=False),
    Column("status", String(16), nullable=False),  # rejected → replayed
    Column("order_id", String(40)),  # the order the replay placed (or cancelled)
    Column("received_at", Timestamp, nullable=False),
    Column("replayed_at", Timestamp),
)
Index("ix_channel_rejections_channel", channel_rejections.c.channel, channel_rejections.c.id)
# The availability feed asks which balances changed since a time.
Index("ix_inventory_levels_updated_at", inventory_levels.c.updated_at)
# ------------------------------------------------------------------------------------------- returns

# Return authorizations (RMAs): what may come back from an order, how, and how it was settled.
return_authorizations = Table(
    "return_authorizations", metadata,
    Column("id", String(40), primary_key=True),
    Column("order_id", ForeignKey("orders.id"), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("method", String(16), nullable=False),  # domain/returns.py ReturnMethod
    Column("status", String(32), nullable=False),  # domain/returns.py ReturnStatus
    Column("location", String(64)),  # the store an in-store return was authorized for
    # A mail return's label: from the customer to the returns location.
    Column("returns_location", String(64)),
    Column("carrier", String(64)),
    Column("tracking_number", String(64)),
    Column("label_cost", Money),
    Column("label", Json),  # what the carrier asked the label to show (zone)
    Column("expected_arrival", Date),
    Column("replacement_order_id", ForeignKey("orders.id"), unique=True),  # an exchange's replacement order
    Column("refund_method", String(32)),
    Column("refund", Json),  # the refund as paid: lines, restocking fee, shipping, total
    Column("actor", String(100), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)
Index("ix_return_authorizations_order", return_authorizations.c.order_id)
Index("ix_return_authorizations_status", return_authorizations.c.status, return_authorizations.c.created_at)

return_lines = Table(
    "return_lines", metadata,
    Column("return_id", ForeignKey("return_authorizations.id"), primary_key=True),
    Column("sku", String(64), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("reason", String(64), nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

# Every unit received back and where it went: `restock` went on the shelf (a `return` movement in the ledger);
# quarantine, return_to_vendor, dispose and refurbish never reach on hand or available to promise.
return_dispositions = Table(
    "return_dispositions", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("return_id", ForeignKey("return_authorizations.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("condition", String(16), nullable=False),  # domain/returns.py Condition
    Column("disposition", String(32), nullable=False),  # domain/returns.py Disposition
    Column("actor", String(100), nullable=False),
    Column("received_at", Timestamp, nullable=False),
    # Worked off the queue: restocked (a `return` movement then), disposed of or returned to the vendor.
    Column("outcome", String(32)),
    Column("resolved_by", String(100)),
    Column("resolved_at", Timestamp),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
Index("ix_return_dispositions_return", return_dispositions.c.return_id)
Index("ix_return_dispositions_location", return_dispositions.c.location_id, return_dispositions.c.id)
Index("ix_return_dispositions_received", return_dispositions.c.received_at)

# ------------------------------------------------------------------------------------------- customers and POS

# One person across channels. A profile merged into another keeps its row, pointing at the one that stayed.
customers = Table(
    "customers", metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200)),
    Column("merged_into", String(40)),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
)

# Normalized identities (domain/customers.py); each belongs to exactly one live profile.
customer_identities = Table(
    "customer_identities", metadata,
    Column("kind", String(16), primary_key=True),  # email | phone | loyalty_id
    Column("value", String(320), primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)
Index("ix_customer_identities_customer", customer_identities.c.customer_id)
Index("ix_orders_customer", orders.c.customer_id)

# What a store's till reported: sales and returns, one row per POS transaction id per store.
pos_transactions = Table(
    "pos_transactions", metadata,
    Column("id", String(40), primary_key=True),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("transaction_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # sale | return
    Column("occurred_at", Timestamp, nullable=False),  # at the till, possibly long before it was uploaded
    Column("recorded_at", Timestamp, nullable=False),
    Column("customer_id", String(40)),
    Column("original_transaction_id", String(128)),  # a return's sale, when the till knows it
    Column("total", Money, nullable=False),
    Column("fingerprint", String(64), nullable=False),  # of the request: a replay must send the same body
    Column("result", Json, nullable=False),  # the answer given, returned again to a replay
    UniqueConstraint("location_id", "transaction_id", name="uq_pos_transactions_location_id_transaction_id"),
)
Index("ix_pos_transactions_customer", pos_transactions.c.customer_id)

pos_transaction_lines = Table(
    "pos_transaction_lines", metadata,
    Column("pos_id", ForeignKey("pos_transactions.id"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", Money),
    Column("condition", String(16)),  # returns: sellable | damaged
)

# A till sale that took units promised online (or units the books did not have): what gave way.
pos_conflicts = Table(
    "pos_conflicts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("location_id", ForeignKey("locations.id"), nullable=False),
    Column("pos_id", ForeignKey("pos_transactions.id"), nullable=False),
    Column("sku", String(64), nullable=False),
    Column("units_short", Integer, nullable=False),
    Column("rerouted", Json, nullable=False),  # [{"order_id", "fulfillment_id", "units"}]
    Column("unbooked_units", Integer, nullable=False),  # sold but not on the books: booked in by an adjustment
    Column("sale_occurred_at", Timestamp, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
)
Index("ix_pos_conflicts_location", pos_conflicts.c.location_id, pos_conflicts.c.id)
# ------------------------------------------------------------------------------------------- KPIs

# Predicted customer lifetime values (BG/NBD + Gamma-Gamma), replaced whole by each run of `omnifill kpis clv`.
lifetime_value_runs = Table(
    "lifetime_value_runs", metadata,
    Column("id", String(40), primary_key=True),
    Column("computed_at", Timestamp, nullable=False),
    Column("horizon_months", Integer, nullable=False),
    Column("discount_rate", Float, nullable=False),  # monthly
    Column("customers", Integer, nullable=False),
    Column("parameters", Json, nullable=False),  # {"r", "alpha", "a", "b", "p", "q", "v"}
)

customer_lifetime_values = Table(
    "customer_lifetime_values", metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("run_id", ForeignKey("lifetime_value_runs.id"), nullable=False),
    Column("frequency", Integer, nullable=False),  # repeat purchase days
    Column("recency_days", Integer, nullable=False),
    Column("age_days", Integer, nullable=False),
    Column("monetary_value", Money, nullable=False),
    Column("expected_purchases", Float, nullable=False),
    Column("probability_alive", Float, nullable=False),
    Column("predicted_value", Money, nullable=False),
)
