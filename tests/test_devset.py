"""The development set's keys, its checker, the sentence matcher and the benchmark's arithmetic.

Every article here is made up by the test: the real set's text never enters the repository.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from benchmarks import devset
from benchmarks.agreement import kappa, pairs_of
from benchmarks.align import (
    EXACT,
    FUZZY,
    UNMATCHED,
    GoldSentence,
    PredictedSentence,
    align,
)
from benchmarks.themes import class_scores
from briefing.config import Settings
from briefing.models import Sentence, ThemedSentence
from briefing.pipeline import Reading
from briefing.themes import Example, Theming
from scripts import devset_check
from scripts.devset_check import LABELS, ArticleRow, Label, key, locate, words

THEMES = ["recognition", "clashes", "talks", "trade"]


def gold(*texts: str) -> list[GoldSentence]:
    return [GoldSentence(key(t), tuple(words(t))) for t in texts]


def predicted(*texts: str) -> list[PredictedSentence]:
    return [PredictedSentence(key(t), tuple(words(t))) for t in texts]


def label(article: str, index: int, text: str, theme: str) -> Label:
    return Label(article, index, key(text), " ".join(text.split()[:5]), theme, "")


def themed(article: str, index: int, text: str, theme: str) -> ThemedSentence:
    return ThemedSentence(Sentence(article, index, text, 0, len(text), 0), {}, theme)


# Keys


def test_key_is_the_sha1_of_the_lower_cased_words() -> None:
    assert words("Pakistan's border, CLOSED! Türkiye") == [
        "pakistan", "s", "border", "closed", "türkiye"]
    assert key("Pakistan's border, CLOSED!") == hashlib.sha1(
        b"pakistan s border closed").hexdigest()
    assert key("Pakistan’s  border — closed") == key("pakistan s border closed")


def test_locate_finds_a_labelled_sentence_as_a_run_of_words() -> None:
    text = words("Menu Home. The border reopened on Monday, officials said. Traders cheered.")
    found = locate(text, label("001.txt", 0, "The border reopened on Monday, officials said.",
                               "trade"))
    assert found is not None and text[found[0]:found[1]] == words(
        "The border reopened on Monday, officials said.")
    assert locate(text, label("001.txt", 1, "The border reopened on Tuesday.", "trade")) is None
    assert locate(text, label("001.txt", 2, "Traders", "other")) == (9, 10)


# The matcher


def test_equal_keys_match_exactly() -> None:
    result = align(gold("One two three.", "Four five six."),
                   predicted("Four five six.", "One, two, three!"))
    assert result.gold_match == (1, 0)
    assert result.kind == (EXACT, EXACT)
    assert result.main_gold == (1, 0)


def test_a_trimmed_dateline_matches_by_containment() -> None:
    result = align(gold("ISLAMABAD (Wire): Pakistan closed the Chaman crossing on Friday."),
                   predicted("Pakistan closed the Chaman crossing on Friday."))
    assert result.gold_match == (0,)
    assert result.kind == (FUZZY,)


def test_merged_sentences_match_every_gold_sentence_they_contain() -> None:
    result = align(gold("The talks ended without a deal.", "Both sides agreed to meet again."),
                   predicted("The talks ended without a deal. Both sides agreed to meet again."))
    assert result.gold_match == (0, 0)
    assert result.kind == (FUZZY,)


def test_a_split_sentence_goes_to_the_larger_part_and_neither_part_is_boilerplate() -> None:
    result = align(gold("Trucks waited at the border for days, and traders said their fruit "
                        "had rotted in the heat."),
                   predicted("Trucks waited at the border for days,",
                             "and traders said their fruit had rotted in the heat."))
    assert result.gold_match == (1,)
    assert result.kind == (FUZZY, FUZZY)
    assert result.main_gold == (0, 0)


def test_a_gold_sentence_matches_one_predicted_sentence_at_most() -> None:
    result = align(gold("Pakistan closed the Chaman crossing on Friday."),
                   predicted("KARACHI: Pakistan closed the Chaman crossing on Friday.",
                             "Pakistan closed the Chaman crossing on Friday. Follow us"))
    assert result.gold_match == (0,)
    assert result.kind == (FUZZY, FUZZY)


def test_otherwise_the_closest_sentence_by_jaccard_matches() -> None:
    result = align(gold("Pakistan and Afghanistan agreed to a ceasefire in Doha on Sunday.",
                        "The weather was mild."),
                   predicted("Pakistan and Afghanistan agreed on a ceasefire in Doha on "
                             "Sunday night."))
    assert result.gold_match == (0, None)
    assert result.kind == (FUZZY,)
    far = align(gold("Pakistan and Afghanistan agreed to a ceasefire in Doha on Sunday."),
                predicted("Afghanistan said nothing about Doha on Sunday."))
    assert far.kind == (UNMATCHED,) and far.gold_match == (None,)


def test_short_fragments_and_new_lines_match_nothing() -> None:
    result = align(gold("He said the border would reopen soon."),
                   predicted("He said.", "Subscribe to our newsletter for more."))
    assert result.kind == (UNMATCHED, UNMATCHED)
    assert result.gold_match == (None,)
    assert result.main_gold == (None, None)


def test_a_repeated_sentence_the_cleaner_kept_once_matches_both_labels() -> None:
    result = align(gold("The crossing reopened.", "Trade resumed today.", "The crossing reopened."),
                   predicted("The crossing reopened.", "Trade resumed today."))
    assert result.gold_match == (0, 1, 0)


def test_a_gold_sentence_missing_from_the_copy_can_only_match_exactly() -> None:
    lost = GoldSentence(key("Pakistan closed the Chaman crossing on Friday."), None)
    assert align([lost], predicted("Pakistan closed the Chaman crossing.")).gold_match == (None,)
    assert align([lost], predicted("Pakistan closed the Chaman crossing on Friday.")
                 ).gold_match == (0,)


# The arithmetic


def test_class_scores_by_hand() -> None:
    pairs = [("trade", "trade"), ("trade", "other"), ("clashes", "clashes"),
             ("other", "trade"), ("other", "other")]
    scores = class_scores(pairs, ["trade", "clashes", "talks", "other"])
    by = {c.label: c for c in scores.classes}
    assert (by["trade"].precision, by["trade"].recall, by["trade"].f1) == (0.5, 0.5, 0.5)
    assert by["clashes"].f1 == 1.0
    assert by["talks"].support == 0  # no gold sentence: left out of the averages
    assert scores.macro_f1_all == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert scores.macro_f1_themes == pytest.approx(0.75)
    assert scores.accuracy == pytest.approx(0.6)


def test_score_by_hand() -> None:
    """A dateline trimmed, a wrong theme, a furniture line kept, a themed sentence dropped."""
    a_texts = ["KABUL (Wire) - The crossing at Torkham reopened for trucks on Monday.",
               "Troops exchanged fire along the border overnight.", "The weather was mild.",
               "Follow us", "Officials met in Doha to discuss a ceasefire."]
    a_labels = [label("001.txt", i, t, theme) for i, (t, theme) in enumerate(
        zip(a_texts, ["trade", "clashes", "other", "furniture", "talks"], strict=True))]
    a_themed = [themed("001.txt", 0, "The crossing at Torkham reopened for trucks on Monday.",
                       "trade"),
                themed("001.txt", 1, a_texts[1], "talks"),
                themed("001.txt", 2, a_texts[2], "other"),
                themed("001.txt", 3, a_texts[3], "other"),
                themed("001.txt", 4, "Subscribe to our newsletter for more news today.", "other")]
    b_text = "The earthquake damaged homes in Herat."
    articles = [
        devset.LabelledArticle(ArticleRow("001", "u1", "Made-up Times", True, "", "dev"),
                               a_labels, gold(*a_texts), a_themed),
        devset.LabelledArticle(ArticleRow("002", "u2", "Made-up Post", False, "quake", "dev"),
                               [label("002.txt", 0, b_text, "other")], gold(b_text),
                               [themed("002.txt", 0, b_text, "clashes")]),
    ]
    report = devset.score("dev", articles, {"001.txt": True, "002.txt": True}, THEMES)

    by = {c.label: c for c in report.themes.classes}
    assert (by["trade"].precision, by["trade"].recall) == (1.0, 1.0)
    assert by["clashes"].f1 == 0.0 and by["talks"].f1 == 0.0
    assert (by["other"].precision, by["other"].recall, by["other"].support) == (0.5, 0.5, 2)
    assert by["recognition"].support == 0
    assert report.themes.macro_f1_all == pytest.approx((1 + 0 + 0 + 0.5) / 4)
    assert report.themes.macro_f1_themes == pytest.approx(1 / 3)
    assert report.themes.accuracy == pytest.approx(2 / 5)
    assert (report.predicted, report.exact, report.fuzzy, report.unmatched) == (6, 4, 1, 1)
    assert (report.gold, report.dropped, report.dropped_themed) == (5, 1, 1)
    assert [b.text for b in report.boilerplate] == [
        "Follow us", "Subscribe to our newsletter for more news today."]
    assert (report.relevance_precision, report.relevance_recall) == (0.5, 1.0)
    assert report.false_relevant == (devset.Outlet("002", "Made-up Post"),)
    assert report.missed == ()

    table = devset.table(report, verbose=True)
    assert "| **macro-F1, themes + other** | | | **0.38** | |" in table
    assert "002 (Made-up Post)" in table and "- 001.txt: Follow us" in table


# A local copy


ARTICLES = {
    "001": ["Pakistan and Afghanistan reopened the Torkham crossing on Monday.",
            "Traders said hundreds of trucks had waited for a week.",
            "Customs officials cleared the first trucks by noon."],
    "002": ["A made-up storm brought rain to the valley.",
            "Farmers welcomed the rain after a dry month."],
}


def fake_copy(root: Path) -> tuple[Path, Path]:
    """A data folder (articles.tsv, labels.jsonl) and a local copy that matches it."""
    data, folder = root / "data", root / "copy"
    data.mkdir()
    folder.mkdir()
    rows = ["id\turl\toutlet\trelevant\treason\tsplit",
            "001\thttps://example.org/1\tMade-up Times\tyes\t\tdev",
            "002\thttps://example.org/2\tMade-up Post\tno\tweather, no Afghanistan\tdev"]
    (data / "articles.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = []
    for id_, sentences in ARTICLES.items():
        (folder / f"{id_}.txt").write_text("Home | World\n\n" + "\n\n".join(sentences) + "\n",
                                           encoding="utf-8")
        for i, s in enumerate(sentences):
            theme = "trade" if id_ == "001" else "other"
            lines.append(json.dumps({"article": f"{id_}.txt", "index": i, "key": key(s),
                                     "first": " ".join(s.split()[:5]), "label": theme,
                                     "note": ""}))
    (data / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, folder


def run_check(folder: Path, data: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = devset_check.main([str(folder), "--data", str(data)])
    return code, capsys.readouterr().out


def test_check_accepts_a_full_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, folder = fake_copy(tmp_path)
    code, out = run_check(folder, data, capsys)
    assert code == 0
    assert "found: 5 of 5 (100.0%" in out and out.rstrip().endswith("ok")


def test_check_refuses_a_missing_file(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    data, folder = fake_copy(tmp_path)
    (folder / "002.txt").unlink()
    code, out = run_check(folder, data, capsys)
    assert code == 1
    assert "missing: 002.txt" in out and "NOT a usable copy" in out


def test_check_refuses_altered_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, folder = fake_copy(tmp_path)
    page = folder / "001.txt"
    page.write_text(page.read_text(encoding="utf-8").replace("hundreds of", "many"),
                    encoding="utf-8")
    code, out = run_check(folder, data, capsys)
    assert code == 1
    assert "found: 4 of 5 (80.0%" in out and "001.txt: 2 of 3" in out


def test_evaluate_reads_only_the_split_through_the_pipeline(tmp_path: Path,
                                                            settings: Settings) -> None:
    data, folder = fake_copy(tmp_path)
    (folder / "003.txt").write_text("Not in the set at all, and never read.\n", encoding="utf-8")
    report = devset.evaluate(folder, settings, "dev", data)
    assert (report.articles, report.distractors, report.gold) == (2, 1, 5)
    assert report.predicted == report.exact + report.fuzzy + report.unmatched
    assert report.not_located == 0
    with pytest.raises(ValueError, match="split"):
        devset.evaluate(folder, settings, "train", data)
    (folder / "001.txt").unlink()
    with pytest.raises(SystemExit, match="not a usable copy"):
        devset.evaluate(folder, settings, "dev", data)


def test_a_partial_copy_is_measured_on_what_it_has_and_names_what_it_left_out(
        tmp_path: Path, settings: Settings) -> None:
    data, folder = fake_copy(tmp_path)
    (folder / "001.txt").unlink()
    report = devset.evaluate(folder, settings, "dev", data, partial=True)
    assert report.articles == 1 and report.left_out == ("001",)
    assert report.gold == 2  # 002's labelled sentences only
    assert "Partial copy: 1 of the split's articles" in devset.table(report)
    altered = folder / "002.txt"  # what it has must still hold its labelled sentences
    altered.write_text(altered.read_text(encoding="utf-8").replace(" ", "  x "), encoding="utf-8")
    with pytest.raises(SystemExit, match="not a usable copy"):
        devset.evaluate(folder, settings, "dev", data, partial=True)
    (folder / "002.txt").unlink()
    with pytest.raises(SystemExit, match="not a usable copy"):
        devset.evaluate(folder, settings, "dev", data, partial=True)


def test_small_days_theme_each_article_alone_then_with_the_others_as_earlier_days(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each article is themed from its own text, and then with the others' sure sentences as
    background; the background is exactly what the other articles teach."""
    data, folder = fake_copy(tmp_path)
    seen: list[tuple[str, ...]] = []
    theme = devset.pipeline.theme

    def spy(reading: Reading, settings: Settings, background: Sequence[Example] = ()
            ) -> Theming:
        seen.append((*sorted({a.id for a in reading.articles}), str(len(background))))
        return theme(reading, settings, background)

    monkeypatch.setattr(devset.pipeline, "theme", spy)
    alone, helped = devset.small_days(folder, settings, "dev", data)
    taught = {f"{id_}.txt": len(devset.pipeline.learned_from(
        devset.day_of(devset.read_day(folder, "dev", settings, data)[2], f"{id_}.txt"), settings))
        for id_ in ARTICLES}
    assert seen == [("001.txt", "0"), ("001.txt", str(taught["002.txt"])),
                    ("002.txt", "0"), ("002.txt", str(taught["001.txt"]))]
    assert alone.gold == helped.gold == 5
    table = devset.small_days_table(alone, helped)
    assert table.count("\n") == 8 and "| trade |" in table


def test_the_test_split_can_learn_from_the_dev_split_as_its_archive(
        tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `archive`, the test split is themed and composed with what the dev split's
    articles teach (no labels), as a scheduled brief learns from the days before it."""
    data, folder = fake_copy(tmp_path)
    articles = data / "articles.tsv"
    articles.write_text(articles.read_text(encoding="utf-8").replace("no\tweather, no "
                        "Afghanistan\tdev", "no\tweather, no Afghanistan\ttest"),
                        encoding="utf-8")
    seen: list[tuple[tuple[str, ...], int]] = []
    theme = devset.pipeline.theme

    def spy(reading: Reading, settings: Settings, background: Sequence[Example] = ()
            ) -> Theming:
        seen.append((tuple(sorted(a.id for a in reading.articles)), len(background)))
        return theme(reading, settings, background)

    monkeypatch.setattr(devset.pipeline, "theme", spy)
    taught = devset.archive_of(folder, settings, data)
    assert taught and taught == devset.pipeline.learned_from(
        devset.read_day(folder, "dev", settings, data)[2], settings)
    report = devset.evaluate(folder, settings, "test", data, archive=True)
    assert report.articles == 1 and report.gold == 2
    assert seen[0] == (("002.txt",), len(taught))
    assert all(found == len(taught) for _, found in seen)
    with pytest.raises(SystemExit, match="its own archive"):
        devset.evaluate(folder, settings, "dev", data, archive=True)


# --- the second labelling ----------------------------------------------------------------------

def test_the_second_labelling_matches_the_first_sentence_for_sentence() -> None:
    pairs = pairs_of()
    assert len(pairs) == 426
    assert {b for _, b in pairs} <= set(LABELS)


def test_kappa_is_one_when_labellers_agree_and_zero_at_chance() -> None:
    assert kappa([("a", "a"), ("b", "b"), ("a", "a")]) == 1.0
    assert kappa([("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")]) == 0.0


def test_a_second_label_for_a_sentence_the_set_does_not_have_stops(tmp_path: Path) -> None:
    second = tmp_path / "second.jsonl"
    second.write_text('{"article": "001.txt", "index": 0, "key": "0", "label": "other"}\n',
                      encoding="utf-8")
    with pytest.raises(SystemExit, match="not in"):
        pairs_of(second)
