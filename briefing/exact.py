"""Exact selection: budgeted concept coverage as an integer linear program.

Gillick and Favre's formulation ("A scalable global model for summarization",
2009). Each candidate sentence i is a 0/1 variable x_i and each concept c a
0/1 variable y_c:

    maximise    sum_c worth_c * y_c  +  sum_i bonus_i * x_i
    subject to  sum_i words_i * x_i <= budget
                y_c <= sum of x_i over the candidates that say c     (a concept counts once)
                x_i + x_j <= 1   for every pair that says the same thing
                sum_i x_i <= limit                                    (when there is one)

The bonus carries what is not coverage: position, how well a sentence stands
alone, relevance to a theme. HiGHS solves it through `scipy.optimize.milp`
within a time limit. milp takes no starting solution, so the caller's greedy
answer enters as a floor on the objective instead: it prunes the search as a
warm start would, and when the solver runs out of time or finds nothing better
the caller keeps the greedy answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    words: Sequence[int]  # per candidate
    concepts: Sequence[Sequence[str]]  # per candidate: the concepts it would add
    worth: Mapping[str, float]
    bonus: Sequence[float]  # per candidate
    budget: int
    exclusive: Sequence[tuple[int, int]] = ()  # pairs of candidates never chosen together
    limit: int | None = None

    def value(self, chosen: Sequence[int]) -> float:
        """The objective of a set of candidates."""
        covered = {c for i in chosen for c in self.concepts[i]}
        return sum(self.worth[c] for c in covered) + sum(self.bonus[i] for i in chosen)


def solve(problem: Problem, floor: float | None = None, time_limit: float = 1.0
          ) -> list[int] | None:
    """The best candidates (positions into the problem's lists), or None when the
    solver proves nothing better than `floor` exists, runs out of time first, or fails."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n = len(problem.words)
    names = sorted({c for cs in problem.concepts for c in cs})
    if n == 0:
        return []
    column = {c: n + k for k, c in enumerate(names)}
    objective = np.concatenate([np.asarray(problem.bonus, dtype=float),
                                np.asarray([problem.worth[c] for c in names], dtype=float)])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    upper: list[float] = []

    def row(entries: Sequence[tuple[int, float]], bound: float) -> None:
        number = len(upper)
        for col, value in entries:
            rows.append(number)
            cols.append(col)
            vals.append(value)
        upper.append(bound)

    row([(i, float(w)) for i, w in enumerate(problem.words)], float(problem.budget))
    sayers: dict[str, list[int]] = {c: [] for c in names}
    for i, cs in enumerate(problem.concepts):
        for c in cs:
            sayers[c].append(i)
    for c in names:
        row([(column[c], 1.0), *((i, -1.0) for i in sayers[c])], 0.0)
    for i, j in problem.exclusive:
        row([(i, 1.0), (j, 1.0)], 1.0)
    if problem.limit is not None:
        row([(i, 1.0) for i in range(n)], float(problem.limit))
    lower = [-np.inf] * len(upper)
    if floor is not None:  # at least as good as the answer we already have
        row([(k, float(v)) for k, v in enumerate(objective) if v], np.inf)
        lower.append(floor - 1e-6 * max(1.0, abs(floor)))
    matrix = coo_array((vals, (rows, cols)), shape=(len(upper), n + len(names))).tocsr()
    result = milp(-objective, integrality=np.concatenate([np.ones(n), np.zeros(len(names))]),
                  bounds=Bounds(0, 1),
                  constraints=LinearConstraint(matrix, lower, upper),
                  options={"time_limit": time_limit, "disp": False})
    if result.x is None or result.status not in (0, 1):
        return None
    chosen = [i for i in range(n) if result.x[i] > 0.5]
    if floor is not None and problem.value(chosen) < floor - 1e-9:
        return None
    return chosen
