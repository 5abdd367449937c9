from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from omnifill.domain.access import Permission
from omnifill.domain.routing.backorders import BackorderStatus
from omnifill.entrypoints.api.auth import Caller, Uow
from omnifill.entrypoints.api.pagination import decode_text_cursor, encode_cursor
from omnifill.entrypoints.api.routing_schemas import (
    BackorderOut,
    LookaheadIn,
    LookaheadOut,
    RoutingProfileIn,
    RoutingProfileOut,
    WaveIn,
    WaveOut,
)
from omnifill.entrypoints.api.schemas import Code, Limit, Page
from omnifill.services import lookahead, rerouting, routing_profiles, waves

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


# -------------------------------------------------------------------------------------- backorders


@router.get("/backorders")
def list_backorders(
    caller: Caller, uow: Uow, status: BackorderStatus | None = BackorderStatus.OPEN,
    limit: Annotated[Limit, Query()] = 50, cursor: str | None = None,
) -> Page[BackorderOut]:
    """Order lines no location could take, oldest first; open ones unless another status is asked for."""
    caller.require(Permission.ROUTING_READ)
    found = rerouting.list_backorders(uow, status, decode_text_cursor(cursor), limit)
    return Page(items=[BackorderOut.of(b) for b in found],
                next_cursor=encode_cursor(found[-1].id) if len(found) == limit else None)


# ------------------------------------------------------------------------------- look-ahead and waves


@router.post("/lookahead")
def run_lookahead(body: LookaheadIn, caller: Caller, uow: Uow) -> LookaheadOut:
    """Solve the look-ahead LP now (it also runs on a schedule: `omnifill routing lookahead --every 900`)."""
    caller.require(Permission.ROUTING_WRITE)
    run = lookahead.solve_lookahead(uow, datetime.now(UTC), history=timedelta(hours=body.history_hours),
                                    horizon=timedelta(hours=body.horizon_hours), method=body.method)
    return LookaheadOut(orders_seen=run.orders_seen, skus=run.skus, locations=run.locations, regions=run.regions,
                        priced=run.priced, seconds=round(run.seconds, 3))


@router.post("/waves", status_code=201)
def run_wave(body: WaveIn, caller: Caller, uow: Uow) -> WaveOut:
    """Re-optimize the orders waiting for a wave together (a MILP with a time limit, greedy as fallback)."""
    caller.require(Permission.ROUTING_WRITE)
    return WaveOut(**waves.run_wave(uow, str(caller), datetime.now(UTC), time_limit_s=body.time_limit_seconds,
                                    max_orders=body.max_orders))


@router.get("/waves/{wave_id}")
def get_wave(wave_id: str, caller: Caller, uow: Uow) -> WaveOut:
    caller.require(Permission.ROUTING_READ)
    return WaveOut(**waves.get_wave(uow, wave_id))
