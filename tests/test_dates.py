"""Publication dates: finding dates, stamp lines, identifiers, and choosing among candidates."""

from __future__ import annotations

from datetime import date

import pytest

from briefing import dates
from briefing.dates import (
    WEIGHTS,
    DateCandidate,
    date_stamp,
    find_dates,
    identifier_date,
    latest_year_mentioned,
    parse_date,
    resolve,
)

OCT27 = date(2025, 10, 27)
JAN02 = date(2024, 1, 2)


def candidate(value: date, kind: str, evidence: str = "") -> DateCandidate:
    return DateCandidate(value, kind, evidence or value.isoformat(), WEIGHTS[kind])


# --- find_dates --------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected", "matched"),
    [
        ("27 October 2025", OCT27, "27 October 2025"),
        ("Oct 27, 2025", OCT27, "Oct 27, 2025"),
        ("2025-10-27", OCT27, "2025-10-27"),
        ("Tuesday, 02 January 2024 12:17 GMT", JAN02, "02 January 2024"),
        ("October 27 2025", OCT27, "October 27 2025"),
        ("Oct. 27, 2025", OCT27, "Oct. 27, 2025"),
        ("27th of October, 2025", OCT27, "27th of October, 2025"),
        ("Sept 3, 2025", date(2025, 9, 3), "Sept 3, 2025"),
        ("2024-1-2", JAN02, "2024-1-2"),
    ],
)
def test_find_dates_formats(text: str, expected: date, matched: str) -> None:
    found = find_dates(text)
    assert [value for value, _ in found] == [expected]
    assert found[0][1].group(0) == matched


def test_find_dates_in_running_text_in_order() -> None:
    text = ("The talks, first held on 2 January 2024, resumed on Oct 27, 2025 and are due to "
            "conclude by 2025-11-30.")
    assert [value for value, _ in find_dates(text)] == [JAN02, OCT27, date(2025, 11, 30)]


@pytest.mark.parametrize(
    "text",
    [
        "31 February 2025",  # no such day
        "2025-13-01",  # no such month
        "27 October 1890",  # before MIN_YEAR
        "October 2025",  # no day
        "27 October",  # no year
        "The 2021 takeover and the 2,640 km border.",
        "",
    ],
)
def test_find_dates_rejects_incomplete_or_impossible_dates(text: str) -> None:
    assert find_dates(text) == []


def test_parse_date_takes_the_first_date() -> None:
    assert parse_date("2025-10-27") == OCT27
    assert parse_date("updated 2 January 2024, first 27 October 2025") == JAN02
    assert parse_date("no date here") is None


# --- date_stamp ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "expected", "kind"),
    [
        ("Updated On 27 Oct 2025 10:00 PKT", OCT27, "stamp"),
        ("Published: 2025-10-27", OCT27, "stamp"),
        ("Posted on October 27, 2025 at 9:15 a.m.", OCT27, "stamp"),
        ("Last modified: 2025-10-27 10:00 +05:00", OCT27, "stamp"),
        ("Tuesday, 02 January 2024 12:17 GMT", JAN02, "date line"),
        ("27 October 2025", OCT27, "date line"),
        ("Mon, Oct 27, 2025 - 10:00 PM", OCT27, "date line"),
    ],
)
def test_date_stamp_accepts_pure_stamp_lines(line: str, expected: date, kind: str) -> None:
    stamp = date_stamp(line)
    assert stamp is not None
    assert stamp.value == expected
    assert stamp.kind == kind
    assert stamp.weight == WEIGHTS[kind]
    assert stamp.evidence == line


def test_stamps_outweigh_bare_date_lines() -> None:
    assert WEIGHTS["stamp"] > WEIGHTS["date line"]


@pytest.mark.parametrize(
    "line",
    [
        "The talks began on 27 October 2025 in Istanbul.",
        "Published reports on 27 October 2025 said the border was closed.",
        "Officials met on 27 Oct 2025",
        "From 2 January 2024 to 27 October 2025",  # two dates
        "Updated " + "very " * 20 + "27 October 2025",  # too long for a stamp
        "Updated On",  # no date at all
    ],
)
def test_date_stamp_rejects_lines_that_are_more_than_a_stamp(line: str) -> None:
    assert date_stamp(line) is None


# --- identifier_date -------------------------------------------------------------

def test_identifier_date_ddmmyyyy_wire_identifier() -> None:
    found = identifier_date("MENAFN27102025000228011069ID1110251643")
    assert found is not None
    assert found.value == OCT27
    assert found.kind == "identifier"
    assert found.weight == WEIGHTS["identifier"]
    assert found.evidence.startswith("MENAFN27102025")
    assert found.evidence.endswith("…")  # long identifiers are shortened in notes


def test_identifier_date_yyyymmdd() -> None:
    found = identifier_date("story-20251027-0042")
    assert found is not None
    assert found.value == OCT27
    assert found.evidence == "story-20251027-0042"


@pytest.mark.parametrize(
    "token",
    [
        "ID1234567",  # seven digits: too short to read
        "ID99999999",  # neither reading is a date
        "X13131313Y",  # month 13 both ways
        "ABCDEFGHIJKLMNOP",  # no digits at all
        "ref-202510-27-x",  # digit runs broken up
    ],
)
def test_identifier_date_none_for_invalid_digit_runs(token: str) -> None:
    assert identifier_date(token) is None


def test_identifier_date_none_when_both_readings_are_dates(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Within 1990–2100 no eight digits read as two different dates, so widen the
    # range: 12101210 is 12 Oct 1210 (DDMMYYYY) or 10 Dec 1210 (YYYYMMDD).
    monkeypatch.setattr(dates, "MIN_YEAR", 1000)
    assert identifier_date("ID12101210") is None
    # the same digits in order, read either way, are one date: not ambiguous
    assert identifier_date("ID10101010") == DateCandidate(date(1010, 10, 10), "identifier",
                                                          "ID10101010", 1.0)


def test_identifier_date_skips_an_unreadable_run_for_a_later_one() -> None:
    found = identifier_date("ID99999999X27102025")
    assert found is not None
    assert found.value == OCT27


# --- latest_year_mentioned -----------------------------------------------------------

def test_latest_year_mentioned() -> None:
    body = "Attacks rose in 2023 and have continued since August 2025, after talks during 2024."
    assert latest_year_mentioned(body) == 2025
    assert latest_year_mentioned("The Taliban returned to power in mid-2021.") == 2021
    assert latest_year_mentioned("No year is spoken of here.") is None


# --- resolve ----------------------------------------------------------------------------

def test_resolve_no_candidates() -> None:
    assert resolve([], "Any body at all.") == (None, "no publication date stated")


def test_resolve_agreeing_candidates() -> None:
    chosen, note = resolve([candidate(OCT27, "stamp", "Published: 2025-10-27"),
                            candidate(OCT27, "identifier", "MENAFN27102025")], "Body.")
    assert chosen == OCT27
    assert note.startswith("from ")
    assert "Published: 2025-10-27" in note and "MENAFN27102025" in note
    assert "outweighs" not in note


def test_resolve_heavier_candidate_wins() -> None:
    chosen, note = resolve([candidate(JAN02, "date line"), candidate(OCT27, "stamp")], "Body.")
    assert chosen == OCT27
    assert "outweighs" in note and "2024-01-02" in note


def test_resolve_majority_of_equal_weights_wins() -> None:
    chosen, note = resolve([candidate(JAN02, "date line"), candidate(OCT27, "date line"),
                            candidate(OCT27, "identifier")], "Body.")
    assert chosen == OCT27
    assert note.startswith("from ")
    assert "outweighs date line '2024-01-02'" in note


def test_resolve_tie_leaves_the_article_undated() -> None:
    chosen, note = resolve([candidate(JAN02, "date line", "Tuesday, 02 January 2024"),
                            candidate(OCT27, "identifier", "MENAFN27102025")], "Body.")
    assert chosen is None
    assert "conflicting" in note
    assert "2024-01-02" in note and "2025-10-27" in note
    assert "left undated" in note


def test_resolve_rules_out_a_date_before_a_year_spoken_of_as_past() -> None:
    body = "Cross-border attacks have surged since August 2025, officials said."
    chosen, note = resolve([candidate(JAN02, "date line", "Tuesday, 02 January 2024"),
                            candidate(OCT27, "identifier", "MENAFN27102025")], body)
    assert chosen == OCT27
    assert "ruled out" in note
    assert "2024-01-02" in note and "2025 as past" in note


def test_resolve_every_candidate_ruled_out() -> None:
    chosen, note = resolve([candidate(JAN02, "stamp")], "Talks have stalled since March 2025.")
    assert chosen is None
    assert "ruled out" in note and note.endswith("left undated")


def test_resolve_same_year_as_the_past_year_is_not_ruled_out() -> None:
    chosen, note = resolve([candidate(OCT27, "stamp")], "Violence has risen since August 2025.")
    assert chosen == OCT27
    assert "ruled out" not in note


@pytest.mark.parametrize("body", [
    "The new trade agreement between the two neighbours runs until 2030.",
    "Parliamentary elections will be held in 2026, the commission said.",
])
def test_resolve_a_future_year_does_not_rule_out_the_date(body: str) -> None:
    chosen, note = resolve([candidate(OCT27, "stamp", "Published: 2025-10-27")], body)
    assert chosen == OCT27, note
