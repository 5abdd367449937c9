"""The shortest walk through a wave's stops, by Google OR-Tools' routing solver (a travelling-salesman tour).

Stop 0 is the pack bench: the walk starts and ends there. Distances are whole centimetres (OR-Tools wants
integers). The first tour is built by cheapest arcs and improved by local search to a local optimum, which is
deterministic (no time-dependent metaheuristic) and, on a wave's few dozen stops, takes milliseconds; the time
limit only bounds a pathological case.
"""

from __future__ import annotations

from collections.abc import Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

TIME_LIMIT_MS = 5_000


def shortest_walk(metres: Sequence[Sequence[float]]) -> list[int]:
    """The order to visit stops 1…n-1, starting and ending at stop 0."""
    count = len(metres)
    if count <= 2:
        return list(range(1, count))
    centimetres = [[round(d * 100) for d in row] for row in metres]
    manager = pywrapcp.RoutingIndexManager(count, 1, 0)
    routing = pywrapcp.RoutingModel(manager)

    def distance(from_index: int, to_index: int) -> int:
        return centimetres[int(manager.IndexToNode(from_index))][int(manager.IndexToNode(to_index))]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    parameters.time_limit.FromMilliseconds(TIME_LIMIT_MS)
    solution = routing.SolveWithParameters(parameters)
    if solution is None:  # cannot happen on a complete graph; fall back to the given order rather than fail
        return list(range(1, count))
    visits, index = [], solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        visits.append(int(manager.IndexToNode(index)))
        index = solution.Value(routing.NextVar(index))
    return visits
