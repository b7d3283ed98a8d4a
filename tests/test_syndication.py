"""Syndicated copies, tested on pairs built from real articles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from briefing.cli import cli
from briefing.config import Settings
from briefing.ingest import read_file
from briefing.models import RawDocument
from briefing.syndication import group, signature, similarity
from tests.conftest import SEEDS, cleaned

SEED_FILES = sorted(p.name for p in SEEDS.iterdir())


def body(name: str) -> str:
    document = read_file(SEEDS / name, 10_000_000)
    assert isinstance(document, RawDocument)
    return cleaned(name, document.text).body


def trimmed(text: str) -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraphs[: max(2, len(paragraphs) * 2 // 3)])


def edited(text: str) -> str:
    """A sub-editor's touch: a few words changed in every paragraph."""
    swaps = {"Pakistan": "Islamabad", "said": "stated", "border": "frontier",
             "Taliban": "Afghan Taliban"}
    out = []
    for paragraph in text.split("\n\n"):
        for old, new in list(swaps.items())[:2]:
            paragraph = paragraph.replace(f" {old} ", f" {new} ", 1)
        out.append(paragraph)
    return "\n\n".join(out)


def sig(text: str, settings: Settings) -> object:
    return signature(text, settings.syndication.shingle_words, settings.syndication.num_perm)


@pytest.mark.parametrize("name", SEED_FILES)
def test_copies_of_a_story_are_found(settings: Settings, name: str) -> None:
    original = body(name)
    variants = {
        "trimmed": trimmed(original),
        "edited": edited(original),
        "retitled with boilerplate": cleaned("copy.txt", "A Different Headline For It\n\n"
                                             "Share Facebook Twitter\n\n" + original +
                                             "\n\nRelated Articles\n\nSomething else entirely"
                                             ).body,
    }
    threshold = settings.syndication.threshold
    for kind, copy in variants.items():
        score = similarity(sig(original, settings), sig(copy, settings))  # type: ignore[arg-type]
        assert score >= threshold, f"{name} {kind}: {score:.2f}"


def test_different_stories_on_the_same_events_stay_apart(settings: Settings) -> None:
    bodies = [body(n) for n in SEED_FILES]
    signatures = [sig(b, settings) for b in bodies]
    assert group(signatures, settings.syndication.threshold,  # type: ignore[arg-type]
                 settings.syndication.num_perm) == []
    for i in range(len(bodies)):
        for j in range(i + 1, len(bodies)):
            score = similarity(signatures[i], signatures[j])  # type: ignore[arg-type]
            assert score < 0.2, (SEED_FILES[i], SEED_FILES[j], score)


def test_groups_are_transitive_and_ordered(settings: Settings) -> None:
    a = body("001_d6679de3fa4b726c.txt")
    b = body("003_15483e7a24de36bb.txt")
    texts = [a, b, trimmed(a), edited(b), edited(a)]
    groups = group([sig(t, settings) for t in texts],  # type: ignore[misc]
                   settings.syndication.threshold, settings.syndication.num_perm)
    assert groups == [[0, 2, 4], [1, 3]]


def test_texts_too_short_to_shingle_are_never_grouped(settings: Settings) -> None:
    assert sig("Too short.", settings) is None
    assert group([None, None, sig("Too short.", settings)],  # type: ignore[list-item]
                 0.5, 128) == []


def test_the_brief_cites_a_syndicated_story_once_and_lists_its_outlets(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    original = (SEEDS / "002_80c53c837bdb71b6.txt").read_text(encoding="utf-8")
    (folder / "002_80c53c837bdb71b6.txt").write_text(original, encoding="utf-8")
    story = original.split("(MENAFN- Khaama Press) ")[1].split("ShareFacebook")[0]
    (folder / "wire-copy.txt").write_text(
        "Pakistan Presses Taliban At Istanbul Talks\n\n(Frontier Post) " + story
        + "\n\nRelated Articles\n", encoding="utf-8")
    (folder / "other.txt").write_text((SEEDS / "001_d6679de3fa4b726c.txt").read_text())
    result = CliRunner().invoke(cli, ["run", "--input", str(folder), "--output",
                                      str(tmp_path / "out"), "--date", "2025-10-28",
                                      "--format", "json,html"])
    assert result.exit_code == 0, result.stderr
    day = tmp_path / "out" / "2025-10-28"
    brief = json.loads((day / "brief.json").read_text())
    by_id = {a["id"]: a for a in brief["articles"]}
    assert set(by_id) == {"002_80c53c837bdb71b6.txt", "other.txt"}
    lead = by_id["002_80c53c837bdb71b6.txt"]
    assert lead["copies"] == [{"id": "wire-copy.txt", "outlet": "Frontier Post",
                               "title": "Pakistan Presses Taliban At Istanbul Talks"}]
    cited = {c["article"] for s in brief["sections"] for i in s["items"] for c in i["sources"]}
    assert "wire-copy.txt" not in cited
    html = (day / "brief.html").read_text()
    assert re.search(r"Also run by Frontier Post \(<code>wire-copy.txt</code>\)", html)
    assert "Frontier Post, Khaama Press" in html  # every outlet that ran it, in the masthead


def test_groups_do_not_depend_on_the_order_pairs_are_compared(settings: Settings) -> None:
    """Candidates are compared all at once: the groups are the same as one by one."""
    a = body("001_d6679de3fa4b726c.txt")
    b = body("003_15483e7a24de36bb.txt")
    texts = [a, b, trimmed(a), edited(b), edited(a), trimmed(b)]
    sigs = [sig(t, settings) for t in texts]
    groups = group(sigs, settings.syndication.threshold,  # type: ignore[arg-type]
                   settings.syndication.num_perm)
    reordered = group(sigs[::-1], settings.syndication.threshold,  # type: ignore[arg-type]
                      settings.syndication.num_perm)
    assert groups == [[0, 2, 4], [1, 3, 5]]
    assert sorted(sorted(5 - i for i in g) for g in reordered) == groups


@given(st.text(alphabet=st.sampled_from([*"ab AB.,'\n", "İ", "é", "ß", "Σ"]), max_size=60),
       st.integers(min_value=1, max_value=4))
def test_shingles_are_runs_of_lowered_words(text: str, k: int) -> None:
    from briefing.syndication import shingles

    words = [w.lower() for w in re.findall(r"[^\W_]+", text)]
    assert shingles(text, k) == {" ".join(words[i:i + k]).encode()
                                 for i in range(len(words) - k + 1)}
