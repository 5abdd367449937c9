from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from omnifill.domain.access import Permission
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.routing_schemas import RoutingProfileIn, RoutingProfileOut
from omnifill.entrypoints.api.schemas import Code, Page
from omnifill.services import routing_profiles

router = APIRouter(prefix="/v1/routing", tags=["routing"])

# ---------------------------------------------------------------------------------------- profiles


@router.get("/profiles")
def list_routing_profiles(caller: Caller, uow: Uow) -> Page[RoutingProfileOut]:
    """Every profile in name order, the built-in `default` included; a network has few, so one page."""
    caller.require(Permission.ROUTING_READ)
    return Page(items=[RoutingProfileOut.of(p) for p in routing_profiles.list_profiles(uow)], next_cursor=None)


@router.get("/profiles/{name}")
def get_routing_profile(name: str, caller: Caller, uow: Uow) -> RoutingProfileOut:
    caller.require(Permission.ROUTING_READ)
    return RoutingProfileOut.of(routing_profiles.get_profile(uow, name))


@router.put("/profiles/{name}", responses={201: {"model": RoutingProfileOut, "description": "Created"}})
def put_routing_profile(
    name: Annotated[Code, Path()], body: RoutingProfileIn, caller: Caller, uow: Uow, response: Response
) -> RoutingProfileOut:
    """Create the profile (201) or replace it whole (200)."""
    caller.require(Permission.ROUTING_WRITE)
    profile = body.to_domain(name)
    if routing_profiles.put_profile(uow, profile, datetime.now(UTC)):
        response.status_code = 201
    return RoutingProfileOut.of(profile)
