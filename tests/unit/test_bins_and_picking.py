"""Walking order through bins (serpentine, and the shortest walk over a layout) and the pick list of a wave."""

from __future__ import annotations

from itertools import permutations

import pytest

from omnifill.adapters.walks import shortest_walk
from omnifill.domain.bins import Bin, Layout, serpentine, walk_length, walking_distances
from omnifill.domain.errors import InvalidInput
from omnifill.domain.orders import FulfillmentLine, FulfillmentOrder, FulfillmentStatus
from omnifill.domain.picking import PickLine, SortLine, WaveWork, pick_list


def b(code: str, aisle: int, shelf: int, zone: str = "A") -> Bin:
    return Bin(code, zone, aisle, shelf)


def test_the_serpentine_walks_up_one_aisle_and_down_the_next() -> None:
    bins = [b("1-5", 1, 5), b("3-1", 3, 1), b("1-1", 1, 1), b("2-2", 2, 2), b("2-9", 2, 9), b("3-7", 3, 7)]

    walk = serpentine(bins)

    assert [x.code for x in walk] == ["1-1", "1-5", "2-9", "2-2", "3-1", "3-7"]


def test_the_serpentine_counts_only_aisles_with_work_and_walks_zones_in_order() -> None:
    # aisle 2 has nothing to pick: aisle 3 is the second aisle walked, so it is walked down
    bins = [b("B-1", 1, 1, zone="B"), b("A-3a", 3, 1), b("A-3b", 3, 8), b("A-1", 1, 4)]

    assert [x.code for x in serpentine(bins)] == ["A-1", "A-3b", "A-3a", "B-1"]


# A small floor: the pack bench at (0, 0), a front cross-aisle along y = 0 and a back one along y = 20, and
# aisles at x = 0, 10, 20, 30 joining them. Bins hang at points along the aisles.
POINTS = {
    "BENCH": (0.0, 0.0),
    "F10": (10.0, 0.0), "F20": (20.0, 0.0), "F30": (30.0, 0.0),
    "B0": (0.0, 20.0), "B10": (10.0, 20.0), "B20": (20.0, 20.0), "B30": (30.0, 20.0),
    "A10": (10.0, 18.0), "A20": (20.0, 2.0), "A30": (30.0, 18.0), "A0": (0.0, 10.0),
}
PATHS = (
    ("BENCH", "F10"), ("F10", "F20"), ("F20", "F30"), ("B0", "B10"), ("B10", "B20"), ("B20", "B30"),
    ("BENCH", "A0"), ("A0", "B0"), ("F10", "A10"), ("A10", "B10"), ("F20", "A20"), ("A20", "B20"),
    ("F30", "A30"), ("A30", "B30"),
)


def layout(bins: dict[str, str]) -> Layout:
    return Layout("BENCH", POINTS, PATHS, bins)


def test_walking_distances_follow_the_paths_not_the_straight_line() -> None:
    floor = layout({})

    [[_, to_a10], [to_bench, _]] = walking_distances(floor, ["BENCH", "A10"])

    assert to_a10 == pytest.approx(28.0)  # along the front and up aisle 10, never through the racks
    assert to_bench == pytest.approx(28.0)


def test_ortools_finds_the_shortest_walk_on_a_small_layout() -> None:
    stops = ["BENCH", "A10", "A20", "A30", "A0", "B20"]
    metres = walking_distances(layout({}), stops)

    visits = shortest_walk(metres)

    best = min(walk_length(metres, list(order)) for order in permutations(range(1, len(stops))))
    assert sorted(visits) == [1, 2, 3, 4, 5]
    assert walk_length(metres, visits) == pytest.approx(best)
    # round the outer loop (100 m), stepping 2 m into aisle 20 from the front and 2 m into aisle 10 from the back
    assert best == pytest.approx(108.0)


def test_a_walk_of_one_stop_needs_no_solver() -> None:
    assert shortest_walk([[0.0, 5.0], [5.0, 0.0]]) == [1]
    assert shortest_walk([[0.0]]) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"start": "NOWHERE"}, "start"),
    ({"paths": (("BENCH", "MARS"),)}, "paths[0]"),
    ({"bins": {"X": "MARS"}}, "bins.X"),
    ({"paths": PATHS[:-2]}, "paths"),  # A30 cut off from the rest
])
def test_a_layout_that_cannot_be_walked_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    values: dict[str, object] = {"start": "BENCH", "points": POINTS, "paths": PATHS, "bins": {}}
    values.update(change)
    with pytest.raises(InvalidInput) as refused:
        Layout(**values)  # type: ignore[arg-type]
    assert refused.value.field == field


def work(order_id: str, fulfillment_id: str, lines: dict[str, int]) -> WaveWork:
    return WaveWork(order_id, FulfillmentOrder(fulfillment_id, "WH", FulfillmentStatus.PICKING,
                                               tuple(FulfillmentLine(s, n) for s, n in lines.items())))


BINS = {x.code: x for x in [b("A1-01", 1, 1), b("A1-09", 1, 9), b("A2-03", 2, 3), b("A2-07", 2, 7)]}


def test_a_wave_walks_once_aggregates_per_bin_and_sku_and_sorts_back_to_orders() -> None:
    # given: two orders; TEE is in two bins, MUG in one, CAP in none
    waves = [work("o1", "f1", {"TEE": 3, "MUG": 1}), work("o2", "f2", {"TEE": 4, "CAP": 2})]
    placed = {"TEE": {"A2-07": 5, "A1-01": 10}, "MUG": {"A2-03": 4}}

    picks = pick_list(waves, placed, BINS)

    # then: the fullest bin covers TEE alone; bins in serpentine order; CAP is unassigned, last
    assert picks.lines == (
        PickLine(BINS["A1-01"], "TEE", 7), PickLine(BINS["A2-03"], "MUG", 1), PickLine(None, "CAP", 2),
    )
    assert picks.sort == (
        SortLine("f1", "o1", "TEE", 3, (("A1-01", 3),)), SortLine("f1", "o1", "MUG", 1, (("A2-03", 1),)),
        SortLine("f2", "o2", "TEE", 4, (("A1-01", 4),)), SortLine("f2", "o2", "CAP", 2, ()),
    )
    assert [x.code for x in picks.stops] == ["A1-01", "A2-03"]


def test_a_sku_spread_over_bins_is_drawn_fullest_first_and_shared_out_in_walking_order() -> None:
    waves = [work("o1", "f1", {"TEE": 4}), work("o2", "f2", {"TEE": 4})]
    placed = {"TEE": {"A1-09": 3, "A2-07": 6, "A1-01": 1}}

    picks = pick_list(waves, placed, BINS)

    # 6 from A2-07 then 2 of the 3 in A1-09 (fuller than A1-01); walked A1-09 then A2-07
    assert picks.lines == (PickLine(BINS["A1-09"], "TEE", 2), PickLine(BINS["A2-07"], "TEE", 6))
    assert [(s.fulfillment_id, s.bins) for s in picks.sort] == [
        ("f1", (("A1-09", 2), ("A2-07", 2))), ("f2", (("A2-07", 4),)),
    ]
