"""One transaction per use case. Nothing is kept unless the service calls commit()."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from omnifill.adapters.sql.capacity_repository import LocationLoadRepository
from omnifill.adapters.sql.catalog_repository import LocationRepository, SkuRepository
from omnifill.adapters.sql.channel_repository import ChannelRepository
from omnifill.adapters.sql.customer_repository import CustomerRepository
from omnifill.adapters.sql.engine import WRITE
from omnifill.adapters.sql.event_repository import EventStreamRepository
from omnifill.adapters.sql.inventory_repository import InventoryRepository
from omnifill.adapters.sql.kpi_repository import KpiRepository
from omnifill.adapters.sql.lifetime_value_repository import LifetimeValueRepository
from omnifill.adapters.sql.notification_repository import NotificationRepository
from omnifill.adapters.sql.operations_repository import OperationsRepository
from omnifill.adapters.sql.order_repository import OrderRepository
from omnifill.adapters.sql.order_search_repository import OrderSearchRepository
from omnifill.adapters.sql.pos_repository import PosRepository
from omnifill.adapters.sql.records_repository import ApiKeyRepository, IdempotencyRepository, OutboxRepository
from omnifill.adapters.sql.return_repository import ReturnRepository
from omnifill.adapters.sql.routing_repository import (
    BackorderRepository,
    OpportunityCostRepository,
    RoutingDecisionRepository,
    RoutingProfileRepository,
    WaveRepository,
)
from omnifill.adapters.sql.shipment_repository import ShipmentRepository
from omnifill.adapters.sql.stock_view_repository import StockViewRepository
from omnifill.adapters.sql.user_repository import ConsoleUserRepository
from omnifill.adapters.sql.warehouse_repository import (
    BinRepository,
    CartonRepository,
    LayoutRepository,
    PickWaveRepository,
)
from omnifill.adapters.sql.webhook_repository import WebhookRepository


class UnitOfWork:
    """`with uow:` opens a write transaction (SQLite: BEGIN IMMEDIATE); `with uow.reading():` a read-only one."""

    skus: SkuRepository
    locations: LocationRepository
    inventory: InventoryRepository
    orders: OrderRepository
    outbox: OutboxRepository
    idempotency: IdempotencyRepository
    api_keys: ApiKeyRepository
    routing_profiles: RoutingProfileRepository
    routing_decisions: RoutingDecisionRepository
    backorders: BackorderRepository
    waves: WaveRepository
    opportunity_costs: OpportunityCostRepository
    location_loads: LocationLoadRepository
    bins: BinRepository
    layouts: LayoutRepository
    pick_waves: PickWaveRepository
    cartons: CartonRepository
    shipments: ShipmentRepository
    notifications: NotificationRepository
    event_stream: EventStreamRepository
    webhooks: WebhookRepository
    console_users: ConsoleUserRepository
    operations: OperationsRepository
    channels: ChannelRepository
    returns: ReturnRepository
    customers: CustomerRepository
    pos: PosRepository
    kpis: KpiRepository
    lifetime_values: LifetimeValueRepository
    order_search: OrderSearchRepository
    stock_views: StockViewRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = True
        self._connection: Connection | None = None

    def reading(self) -> UnitOfWork:
        reader = UnitOfWork(self.engine)
        reader._write = False
        return reader

    def __enter__(self) -> UnitOfWork:
        connection = self.engine.connect().execution_options(**{WRITE: self._write})
        connection.begin()
        self._connection = connection
        self.skus = SkuRepository(connection)
        self.locations = LocationRepository(connection)
        self.inventory = InventoryRepository(connection)
        self.orders = OrderRepository(connection)
        self.outbox = OutboxRepository(connection)
        self.idempotency = IdempotencyRepository(connection)
        self.api_keys = ApiKeyRepository(connection)
        self.routing_profiles = RoutingProfileRepository(connection)
        self.routing_decisions = RoutingDecisionRepository(connection)
        self.backorders = BackorderRepository(connection)
        self.waves = WaveRepository(connection)
        self.opportunity_costs = OpportunityCostRepository(connection)
        self.location_loads = LocationLoadRepository(connection)
        self.bins = BinRepository(connection)
        self.layouts = LayoutRepository(connection)
        self.pick_waves = PickWaveRepository(connection)
        self.cartons = CartonRepository(connection)
        self.shipments = ShipmentRepository(connection)
        self.notifications = NotificationRepository(connection)
        self.event_stream = EventStreamRepository(connection)
        self.webhooks = WebhookRepository(connection)
        self.console_users = ConsoleUserRepository(connection)
        self.operations = OperationsRepository(connection)
        self.channels = ChannelRepository(connection)
        self.returns = ReturnRepository(connection)
        self.customers = CustomerRepository(connection)
        self.pos = PosRepository(connection)
        self.kpis = KpiRepository(connection)
        self.lifetime_values = LifetimeValueRepository(connection)
        self.order_search = OrderSearchRepository(connection)
        self.stock_views = StockViewRepository(connection)
        return self

    @property
    def in_transaction(self) -> bool:
        return self._connection is not None

    def commit(self) -> None:
        assert self._connection is not None, "commit() outside `with uow:`"
        self._connection.commit()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._connection is not None
        try:
            self._connection.rollback()  # a no-op after commit()
        finally:
            self._connection.close()
            self._connection = None
