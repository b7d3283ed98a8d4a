from __future__ import annotations

import pytest

from briefing import summarize as summarize_module
from briefing.config import Settings
from briefing.exact import Problem, solve
from briefing.summarize import EXACT, GREEDY, build_pool, select, similarity
from tests.conftest import build_sentences
from tests.test_compose import BODIES, all_items, brief_of

# The densest sentence (0) fills most of the budget; two others together are worth more.
TRAP = Problem(words=[6, 5, 5], concepts=[["a", "b", "c"], ["d", "e"], ["f", "g"]],
               worth={"a": 1.0, "b": 1.0, "c": 1.0, "d": 0.9, "e": 0.9, "f": 0.9, "g": 0.9},
               bonus=[0.0, 0.0, 0.0], budget=10)


def test_the_ilp_finds_the_best_set_where_greedy_does_not() -> None:
    assert solve(TRAP) == [1, 2]
    assert TRAP.value([1, 2]) == pytest.approx(3.6) and TRAP.value([0]) == pytest.approx(3.0)


def test_a_concept_counts_once() -> None:
    shared = Problem(words=[3, 3], concepts=[["a", "b"], ["a", "c"]],
                     worth={"a": 5.0, "b": 1.0, "c": 1.0}, bonus=[0.0, 0.0], budget=10)
    assert shared.value([0, 1]) == pytest.approx(7.0)


def test_exclusive_pairs_and_the_limit_hold() -> None:
    apart = Problem(**{**TRAP.__dict__, "exclusive": [(1, 2)]})
    assert solve(apart) == [0]
    one = Problem(**{**TRAP.__dict__, "limit": 1})
    assert solve(one) == [0]


def test_nothing_is_returned_when_the_floor_cannot_be_beaten() -> None:
    assert solve(TRAP, floor=TRAP.value([1, 2]) + 1.0) is None
    assert solve(TRAP, floor=TRAP.value([0])) == [1, 2]


A = ("Pakistan closed the Torkham border crossing on Monday after heavy clashes. "
     "The local football team won its match in the afternoon sunshine.")
B = ("Traders said the Torkham border crossing closure stranded hundreds of trucks. "
     "A new bakery opened in the old city to long queues of customers.")
C = ("Officials confirmed the Torkham border crossing would stay closed for a week. "
     "Pakistan closed the Torkham border crossing on Monday after heavy clashes.")


@pytest.mark.parametrize("budget", [12, 25, 40])
def test_exact_selection_keeps_the_budget_and_says_nothing_twice(budget: int) -> None:
    pool = build_pool(build_sentences(A, B, C))
    picks = select(pool, range(len(pool.sentences)), budget, method=EXACT)
    assert picks and sum(pool.sentences[p.index].words for p in picks) <= budget
    stems = [frozenset(pool.sentences[p.index].stems) for p in picks]
    assert all(similarity(a, b) < 0.5 for n, a in enumerate(stems) for b in stems[n + 1:])


def test_exact_selection_covers_at_least_what_greedy_covers() -> None:
    pool = build_pool(build_sentences(A, B, C))
    everything = range(len(pool.sentences))

    def covered(method: str) -> float:
        picks = select(pool, everything, 30, method=method)
        return sum(pool.worth.get(c, 0.0)
                   for c in set().union(*(pool.concepts[p.index] for p in picks)))

    assert covered(EXACT) >= covered(GREEDY)


def test_exact_selection_falls_back_to_greedy_when_the_solver_has_no_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pool = build_pool(build_sentences(A, B, C))
    monkeypatch.setattr("briefing.exact.solve", lambda *args, **kwargs: None)
    everything = range(len(pool.sentences))
    assert (select(pool, everything, 30, method=EXACT)
            == select(pool, everything, 30, method=GREEDY))


def test_a_themed_brief_chosen_exactly_keeps_its_rules(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summarize_module, "SELECTION", EXACT)
    brief = brief_of(settings, *BODIES)
    texts = [i.text for i in all_items(brief)]
    assert len(texts) == len(set(texts)) and len(brief.key_points) >= 3
    clash = [i for i in all_items(brief) if "exchanged heavy fire" in i.text]
    assert len(clash) == 1 and len(clash[0].sources) == 2
