"""Routing profiles: the list, one profile, and its edit form. Admins and operators edit; store associates
have no access. A sent form is read by the API's own model (RoutingProfileIn) and stored by the same use case
as PUT /v1/routing/profiles/{name}, so the rules are the same; a refused field is named beside its input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from omnifill.domain.access import Permission
from omnifill.domain.errors import DomainError, Forbidden, InvalidInput
from omnifill.domain.locations import LocationKind
from omnifill.domain.orders import ServiceLevel
from omnifill.domain.routing.profiles import RoutingProfile
from omnifill.domain.users import ConsoleSession
from omnifill.entrypoints.api.auth import Uow
from omnifill.entrypoints.api.errors import field_path
from omnifill.entrypoints.api.routing_schemas import RoutingProfileIn, RoutingProfileOut
from omnifill.entrypoints.console.desk import refused_page
from omnifill.entrypoints.console.pages import render
from omnifill.entrypoints.console.session import CheckedPerson, Person
from omnifill.services import routing_profiles

router = APIRouter(include_in_schema=False)
LISTS = ("channels", "excluded_locations")  # comma-separated codes
CHOICES = {"service_levels": list(ServiceLevel), "excluded_kinds": list(LocationKind)}
NUMBERS = ("max_distance_miles", "max_packages", "split_threshold", "pickup_lead_minutes")
SWITCHES = ("enforce_promise", "look_ahead", "batchable")


@router.get("/routing/profiles")
def profile_list(request: Request, uow: Uow, session: Person) -> Response:
    try:
        session.user.principal.require(Permission.ROUTING_READ)
    except Forbidden as refused:
        return refused_page(request, session, refused)
    return render(request, "profiles.html", session, profiles=routing_profiles.list_profiles(uow))


@router.get("/routing/profiles/{name}")
def profile_page(request: Request, uow: Uow, session: Person, name: str) -> Response:
    try:
        session.user.principal.require(Permission.ROUTING_READ)
        profile = routing_profiles.get_profile(uow, name)
    except DomainError as refused:
        return refused_page(request, session, refused)
    return _form(request, session, name, form_values(profile), saved=request.query_params.get("saved") == "1")


@router.post("/routing/profiles/{name}")
async def save_profile(request: Request, uow: Uow, session: CheckedPerson, name: str) -> Response:
    # Async only to read the form's repeated fields (check boxes); the database work runs off the event loop.
    values = _sent_values(await request.form())
    return await run_in_threadpool(_save, request, uow, session, name, values)


def _save(request: Request, uow: Uow, session: ConsoleSession, name: str, values: dict[str, Any]) -> Response:
    try:
        session.user.principal.require(Permission.ROUTING_WRITE)
        routing_profiles.get_profile(uow, name)  # the form edits a profile; a new one comes through the API
    except DomainError as refused:
        return refused_page(request, session, refused)
    try:
        profile = RoutingProfileIn.model_validate(_body(values)).to_domain(name)
    except ValidationError as refused:
        return _form(request, session, name, values, problems=_problems(refused))
    except InvalidInput as refused:
        return _form(request, session, name, values, problems={refused.field.split(".")[0]: [refused.problem]})
    routing_profiles.put_profile(uow, profile, datetime.now(UTC))
    return RedirectResponse(f"/routing/profiles/{name}?saved=1", status_code=303)


def _form(request: Request, session: ConsoleSession, name: str, values: dict[str, Any],
          problems: dict[str, list[str]] | None = None, saved: bool = False) -> Response:
    try:
        session.user.principal.require(Permission.ROUTING_WRITE)
        editable = True
    except Forbidden:
        editable = False
    return render(request, "profile.html", session, 422 if problems else 200, name=name, values=values,
                  problems=problems or {}, saved=saved, editable=editable, choices=CHOICES,
                  kinds=list(LocationKind))


def form_values(profile: RoutingProfile) -> dict[str, Any]:
    """The profile as the form shows it: lists joined by commas, buffers one `CODE=units` a line."""
    shown = RoutingProfileOut.of(profile).model_dump(mode="json")
    return {
        **{key: ", ".join(shown[key]) for key in LISTS},
        **{key: shown[key] for key in CHOICES},
        **{key: "" if shown[key] is None else str(shown[key]) for key in NUMBERS},
        **{key: shown[key] for key in SWITCHES},
        "safety_buffer_by_kind": {kind: str(units) for kind, units in shown["safety_buffer_by_kind"].items()},
        "safety_buffer_by_location": "\n".join(f"{code}={units}"
                                               for code, units in shown["safety_buffer_by_location"].items()),
    }


def _sent_values(sent: FormData) -> dict[str, Any]:
    """The form as sent, kept as text so a refused form is shown back exactly as the person typed it."""
    text = {key: str(sent.get(key, "")).strip() for key in (*LISTS, *NUMBERS, "safety_buffer_by_location")}
    return {
        **text,
        **{key: [str(v) for v in sent.getlist(key)] for key in CHOICES},
        **{key: sent.get(key) == "on" for key in SWITCHES},
        "safety_buffer_by_kind": {kind: str(sent.get(f"buffer_{kind}", "")).strip() for kind in LocationKind
                                  if str(sent.get(f"buffer_{kind}", "")).strip()},
    }


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The form's text as the JSON body PUT /v1/routing/profiles/{name} would take; the model checks the rest."""
    return {
        **{key: [item.strip() for item in values[key].split(",") if item.strip()] for key in LISTS},
        **{key: values[key] for key in CHOICES},
        **{key: values[key] for key in NUMBERS if values[key] != ""},
        **({"max_distance_miles": None} if values["max_distance_miles"] == "" else {}),
        **{key: values[key] for key in SWITCHES},
        "safety_buffer_by_kind": values["safety_buffer_by_kind"],
        "safety_buffer_by_location": _buffers(values["safety_buffer_by_location"]),
    }


def _buffers(text: str) -> dict[str, str]:
    found = {}
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        code, sep, units = line.partition("=")
        if not sep:
            raise InvalidInput("safety_buffer_by_location", f"{line}: write each as CODE=units, one a line")
        found[code.strip()] = units.strip()
    return found


def _problems(refused: ValidationError) -> dict[str, list[str]]:
    """Each refused value under the form field it came from (`safety_buffer_by_kind.store` → that field)."""
    problems: dict[str, list[str]] = {}
    for error in refused.errors():
        path = field_path(tuple(error["loc"]))
        field = str(error["loc"][0]) if error["loc"] else "form"
        detail = path.removeprefix(field).lstrip(".")
        problems.setdefault(field, []).append(f"{detail}: {error['msg']}" if detail else str(error["msg"]))
    return problems
