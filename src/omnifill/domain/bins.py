"""Bins at a location and the walk through them.

A bin sits in a zone, an aisle and at a shelf position along that aisle. With nothing more known, a picker walks
the serpentine (S-shaped) path: zone by zone, aisles in order, up the first aisle with work in it and down the
next, so no aisle is walked twice. Where the location has a `Layout` — the walkable paths between points of the
floor, the point each bin is picked from, and the pack bench where every walk starts and ends — the walking
distance between any two points is the shortest path along those paths (Dijkstra, here), and the visiting order
is chosen by a routing solver (adapters/walks.py).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise

from omnifill.domain.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Bin:
    code: str
    zone: str
    aisle: int  # aisles are walked in this order
    shelf: int  # the position along the aisle

    def __post_init__(self) -> None:
        if self.aisle < 0:
            raise InvalidInput("aisle", "must not be negative")
        if self.shelf < 0:
            raise InvalidInput("shelf", "must not be negative")


def serpentine(bins: Iterable[Bin]) -> list[Bin]:
    """The bins in S-shaped walking order: the n-th aisle visited is walked up when n is even, down when odd."""
    walk: list[Bin] = []
    aisles = groupby(sorted(bins, key=lambda b: (b.zone, b.aisle)), key=lambda b: (b.zone, b.aisle))
    for rank, (_, in_aisle) in enumerate(aisles):
        walk.extend(sorted(in_aisle, key=lambda b: (b.shelf, b.code), reverse=rank % 2 == 1))
    return walk


Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Layout:
    """A location's floor: points (metres), the paths walkable between them, and where each bin is picked from."""

    start: str  # the pack bench: every walk starts and ends here
    points: Mapping[str, Point]
    paths: tuple[tuple[str, str], ...]  # walkable both ways; a path's length is the straight line between its ends
    bins: Mapping[str, str]  # bin code → the point it is picked from

    def __post_init__(self) -> None:
        if self.start not in self.points:
            raise InvalidInput("start", f"{self.start} is not one of the points")
        for index, (a, b) in enumerate(self.paths):
            if a not in self.points or b not in self.points:
                raise InvalidInput(f"paths[{index}]", f"joins {a} and {b}; both must be points")
        for code, point in self.bins.items():
            if point not in self.points:
                raise InvalidInput(f"bins.{code}", f"{point} is not one of the points")
        reached = _distances_from(self, self.start)
        if unreached := sorted(set(self.points) - set(reached)):
            raise InvalidInput("paths", f"no path from {self.start} reaches {', '.join(unreached[:5])}")


def walking_distances(layout: Layout, stops: Sequence[str]) -> list[list[float]]:
    """Metres walked between each pair of points in `stops`, along the layout's paths."""
    rows = []
    for origin in stops:
        reached = _distances_from(layout, origin)
        rows.append([reached[stop] for stop in stops])
    return rows


def walk_length(distances: Sequence[Sequence[float]], visits: Sequence[int]) -> float:
    """Metres of a walk from stop 0 through `visits` and back to stop 0."""
    route = [0, *visits, 0]
    return sum(distances[a][b] for a, b in pairwise(route))


def _distances_from(layout: Layout, origin: str) -> dict[str, float]:
    neighbours: dict[str, list[tuple[str, float]]] = {point: [] for point in layout.points}
    for a, b in layout.paths:
        length = math.dist(layout.points[a], layout.points[b])
        neighbours[a].append((b, length))
        neighbours[b].append((a, length))
    reached: dict[str, float] = {}
    frontier = [(0.0, origin)]
    while frontier:
        distance, point = heapq.heappop(frontier)
        if point in reached:
            continue
        reached[point] = distance
        for neighbour, length in neighbours[point]:
            if neighbour not in reached:
                heapq.heappush(frontier, (distance + length, neighbour))
    return reached
