"""Roles, their permissions, and the store / channel scope a key is held to."""

from __future__ import annotations

import pytest

from omnifill.domain.access import GRANTS, Permission, Principal, Role
from omnifill.domain.errors import Forbidden, InvalidInput

P = Permission
ADMIN, OPERATOR = Principal(Role.ADMIN), Principal(Role.OPERATOR)
STORE, CHANNEL = Principal(Role.STORE, "NYC-01"), Principal(Role.CHANNEL, "web")
CARRIER = Principal(Role.CARRIER, "groundline")


@pytest.mark.parametrize(
    ("text", "principal"),
    [
        ("admin", ADMIN),
        ("operator", OPERATOR),
        ("store:NYC-01", STORE),
        ("channel:web", CHANNEL),
        ("carrier:groundline", CARRIER),
        ("channel:marketplace.amazon_us", Principal(Role.CHANNEL, "marketplace.amazon_us")),
        ("store:" + "S" * 64, Principal(Role.STORE, "S" * 64)),
    ],
)
def test_parse_reads_the_role_and_its_scope_and_prints_it_back(text: str, principal: Principal) -> None:
    assert Principal.parse(text) == principal
    assert str(principal) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "root",
        "Admin",
        "admin:NYC",
        "operator:x",
        "store",
        "store:",
        "channel:",
        "store:-NYC",
        "store:NY C",
        "store:NYC:01",
        "store:" + "S" * 65,
        "warehouse:NYC",
        "carrier:",
        "carrier",
        " admin",
        "admin\n",  # `$` in the pattern also matches before a final newline
        "store:NYC\n",
    ],
)
def test_parse_refuses_anything_else(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        Principal.parse(text)

    assert refused.value.field == "role"


def test_each_role_has_exactly_its_grants() -> None:
    assert {
        Role.ADMIN: set(Permission),
        Role.OPERATOR: set(Permission) - {P.NETWORK_WRITE},
        Role.STORE: {P.CATALOG_READ, P.NETWORK_READ, P.INVENTORY_READ, P.INVENTORY_WRITE, P.ORDERS_READ,
                     P.FULFILLMENT_WRITE, P.AVAILABILITY_READ, P.SHIPPING_READ,
                     P.RETURNS_READ, P.RETURNS_WRITE, P.RETURNS_RECEIVE, P.POS_WRITE, P.KPIS_READ},
        Role.CHANNEL: {P.CATALOG_READ, P.NETWORK_READ, P.ORDERS_READ, P.ORDERS_WRITE, P.AVAILABILITY_READ,
                       P.SHIPPING_READ, P.CHANNELS_SYNC, P.RETURNS_READ, P.RETURNS_WRITE},
        Role.VENDOR: {P.CATALOG_READ, P.INVENTORY_READ, P.INVENTORY_WRITE, P.ORDERS_READ, P.FULFILLMENT_WRITE,
                      P.SHIPPING_READ},
        Role.CARRIER: {P.SHIPPING_READ, P.SHIPPING_WRITE},
    } == GRANTS


@pytest.mark.parametrize(
    ("principal", "permission"),
    [
        (OPERATOR, P.NETWORK_WRITE),
        (STORE, P.CATALOG_WRITE),
        (STORE, P.NETWORK_WRITE),
        (STORE, P.ORDERS_WRITE),
        (CHANNEL, P.INVENTORY_READ),
        (CHANNEL, P.INVENTORY_WRITE),
        (CHANNEL, P.CATALOG_WRITE),
        (STORE, P.SHIPPING_WRITE),
        (CHANNEL, P.SHIPPING_WRITE),
        (CARRIER, P.ORDERS_READ),
        (CHANNEL, P.RETURNS_RECEIVE),
        (STORE, P.RETURNS_ANALYTICS),
        (CARRIER, P.RETURNS_READ),
    ],
)
def test_require_refuses_a_permission_the_role_lacks(principal: Principal, permission: Permission) -> None:
    with pytest.raises(Forbidden) as refused:
        principal.require(permission)

    assert refused.value.code == "forbidden"
    assert refused.value.details == {"permission": str(permission)}


@pytest.mark.parametrize("principal", [ADMIN, OPERATOR, STORE, CHANNEL, CARRIER])
def test_require_refuses_exactly_what_the_role_is_not_granted(principal: Principal) -> None:
    refused = set()
    for permission in Permission:
        try:
            principal.require(permission)
        except Forbidden:
            refused.add(permission)

    assert refused == set(Permission) - GRANTS[principal.role]


def test_a_store_key_acts_on_its_own_store_only() -> None:
    STORE.require_location("NYC-01")

    with pytest.raises(Forbidden) as refused:
        STORE.require_location("NYC-02")

    assert refused.value.details == {"location": "NYC-02"}
    assert (STORE.location, STORE.channel) == ("NYC-01", None)


def test_a_channel_key_acts_on_its_own_channel_only() -> None:
    CHANNEL.require_channel("web")

    with pytest.raises(Forbidden) as refused:
        CHANNEL.require_channel("pos")

    assert refused.value.details == {"channel": "pos"}
    assert (CHANNEL.channel, CHANNEL.location) == ("web", None)


@pytest.mark.parametrize("principal", [ADMIN, OPERATOR])
def test_admin_and_operator_keys_are_not_scoped(principal: Principal) -> None:
    principal.require_location("ANY")
    principal.require_channel("any")
    principal.require_order("any", {"ANY"})

    assert (principal.scope, principal.location, principal.channel) == (None, None, None)


def test_scope_checks_of_one_kind_do_not_bind_the_other_kind() -> None:
    STORE.require_channel("pos")
    CHANNEL.require_location("NYC-02")


def test_a_channel_key_sees_its_channel_orders_only() -> None:
    CHANNEL.require_order("web", {"NYC-02"})

    with pytest.raises(Forbidden) as refused:
        CHANNEL.require_order("pos", {"NYC-01"})

    assert refused.value.details == {"channel": "pos"}


def test_a_store_key_sees_the_orders_its_store_fulfills_or_hands_over() -> None:
    STORE.require_order("web", {"NYC-01", "PHL-01"})

    with pytest.raises(Forbidden) as refused:
        STORE.require_order("web", {"PHL-01"})
    with pytest.raises(Forbidden):
        STORE.require_order("web", set())

    assert refused.value.details == {"location": "NYC-01"}


def test_a_carrier_key_acts_on_its_own_carrier_shipments_only() -> None:
    CARRIER.require_shipment("groundline", "web", {"NYC-01"})

    with pytest.raises(Forbidden) as refused:
        CARRIER.require_shipment("swiftpost", "web", {"NYC-01"})
    with pytest.raises(Forbidden):
        CARRIER.require_order("web", {"NYC-01"})

    assert refused.value.details == {"carrier": "swiftpost"}
    assert (CARRIER.carrier, CARRIER.location, CARRIER.channel) == ("groundline", None, None)


def test_other_keys_see_a_shipment_as_they_see_its_order() -> None:
    STORE.require_shipment("groundline", "web", {"NYC-01"})
    CHANNEL.require_shipment("swiftpost", "web", {"PHL-01"})

    with pytest.raises(Forbidden):
        STORE.require_shipment("groundline", "web", {"PHL-01"})
    with pytest.raises(Forbidden):
        CHANNEL.require_shipment("groundline", "pos", {"NYC-01"})
