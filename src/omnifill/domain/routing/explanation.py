"""A routing decision told in one plain sentence, for people reading an order: why the winner won.

Reads the record services/routing.py `decision_record` stores (and the re-route and wave records beside it), so
old decisions read the same way as new ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]


def why_this_plan(kind: str, record: Record) -> str:
    """Why the order went where it went: the cheapest feasible total, a split worth its penalty, or a backorder."""
    if kind == "wave":
        return _wave(record)
    opening = f"Re-routed because {record['failed_at']} let it down ({record['reason']}). " if kind == "reroute" else ""
    if record.get("note"):
        return f"{opening}Nothing was moved: {record['note']}; {_backordered(record)}."
    chosen = [c for c in record.get("candidates", []) if c["verdict"] == "chosen"]
    if not chosen:
        return f"{opening}No location could take any of it: {_backordered(record)}."
    sentence = opening + (_pickup(chosen[0]) if record.get("delivery_method") == "pickup" else _winner(record, chosen))
    return sentence + _left_out(record)


def _winner(record: Record, chosen: Sequence[Record]) -> str:
    """The chosen plan against the locations that could have shipped the whole order alone."""
    demand = _demand(record)
    considered = [c for c in record["candidates"] if c["verdict"] == "considered" and c.get("cost")]
    whole = sorted((c for c in considered if _covers(c, demand)), key=lambda c: c["cost"]["total"])
    partial = len(considered) - len(whole)
    total = f"{record['total_cost']:.2f}"
    if len(chosen) > 1:
        names = _and([c["location"] for c in chosen])
        against = (f"cheaper than shipping it all from {whole[0]['location']} ({whole[0]['cost']['total']:.2f})"
                   if whole else "no single location holds the whole order")
        return (f"Split between {names}: {total} in all, a split penalty of {record['split_penalty']:.2f} "
                f"included; {against}.")
    winner = chosen[0]["location"]
    sentence = (f"{winner} won with the cheapest total of the {len(whole) + 1} locations that can ship the whole "
                f"order: {total}, against {whole[0]['cost']['total']:.2f} from {whole[0]['location']}, the next "
                "cheapest." if whole else f"{winner} won as the only location that can ship the whole order, "
                f"at {total} in all.")
    if partial:
        sentence += f" {partial} more hold{'s' if partial == 1 else ''} only part of it."
    return sentence


def _demand(record: Record) -> dict[str, int]:
    """What the order asked for: the units planned plus the units nobody could take."""
    units: dict[str, int] = {}
    for line in [*(ln for p in record.get("packages", []) for ln in p["lines"]), *record.get("unfilled", [])]:
        units[line["sku"]] = units.get(line["sku"], 0) + line["quantity"]
    return units


def _covers(candidate: Record, demand: Mapping[str, int]) -> bool:
    supply = {line["sku"]: line["quantity"] for line in candidate.get("supply", [])}
    return all(supply.get(sku, 0) >= units for sku, units in demand.items())


def _pickup(chosen: Record) -> str:
    return f"{chosen['location']} is the store the customer chose to collect from, and it holds the stock."


def _left_out(record: Record) -> str:
    filtered = [c for c in record["candidates"] if c["verdict"] == "filtered"]
    parts = []
    if filtered:
        parts.append(f" {len(filtered)} location{'s were' if len(filtered) > 1 else ' was'} filtered out "
                     "before pricing (reasons in the table).")
    if record.get("unfilled"):
        parts.append(f" Not placed anywhere: {_backordered(record)}.")
    return "".join(parts)


def _wave(record: Record) -> str:
    return (f"Wave {record['wave']} planned waiting orders together and moved this one: "
            f"{record['cost_before']:.2f} before, {record['cost_after']:.2f} after.")


def _backordered(record: Record) -> str:
    units = sum(line["quantity"] for line in record.get("unfilled", []))
    return f"{units} unit{'s wait' if units != 1 else ' waits'} on the backorder queue"


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
