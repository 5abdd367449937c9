"""Use cases for routing profiles: the rules orders are routed by, edited by the operations team."""

from __future__ import annotations

from datetime import datetime

from omnifill.adapters.sql.routing_repository import profile_body
from omnifill.adapters.sql.unit_of_work import UnitOfWork
from omnifill.domain.errors import NotFound
from omnifill.domain.events import DomainEvent
from omnifill.domain.routing.profiles import DEFAULT_PROFILE, RoutingProfile
from omnifill.services.routing import forget_routing_profiles


def list_profiles(uow: UnitOfWork) -> list[RoutingProfile]:
    """Every stored profile in name order, with the built-in default among them if it was never stored."""
    with uow.reading() as reader:
        stored = reader.routing_profiles.all()
    if all(p.name != DEFAULT_PROFILE for p in stored):
        stored = sorted([*stored, RoutingProfile()], key=lambda p: p.name)
    return stored


def get_profile(uow: UnitOfWork, name: str) -> RoutingProfile:
    with uow.reading() as reader:
        profile = reader.routing_profiles.get(name)
    if profile is None and name == DEFAULT_PROFILE:
        return RoutingProfile()
    if profile is None:
        raise NotFound(f"no routing profile {name}", profile=name)
    return profile


def put_profile(uow: UnitOfWork, profile: RoutingProfile, now: datetime) -> bool:
    """Store the profile whole, in place of any of its name; True if it is new."""
    with uow:
        created = uow.routing_profiles.put(profile, now)
        uow.outbox.add([DomainEvent(
            "routing_profile.changed", "routing_profile", profile.name,
            {"profile": profile.name, "created": created, "body": profile_body(profile)}, now,
        )])
        uow.commit()
    forget_routing_profiles()
    return created
