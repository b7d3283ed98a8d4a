"""Themes from a sentence's own words, its context and the day's text; the story's bounds."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing import themes
from briefing.config import ConfigError, Settings, StorySettings, Theme, parse_settings
from briefing.models import OTHER, Article, Sentence
from briefing.story import ON, OUTSIDE, Judgment, StoryLexicon
from briefing.text import addressed, stems
from briefing.themes import Theming, compile_theme, theme_day
from tests.conftest import ROOT, article, build_sentences

TRADE = Theme("trade", "Trade", "", {"truck": 2, "border crossing": 3, "trade": 1})
CLASHES = Theme("clashes", "Clashes", "", {"clash": 3, "exchange of fire": 3})
NO_STORY = StorySettings()


def day(settings: Settings, *bodies: str, titles: tuple[str | None, ...] = ()) -> Theming:
    """The themes of tiny articles a.txt, b.txt, … under the repository's configuration."""
    articles = [replace(article(f"{chr(97 + n)}.txt", body),
                        title=titles[n] if n < len(titles) else None)
                for n, body in enumerate(bodies)]
    sentences = build_sentences(*bodies)
    return theme_day(articles, sentences, settings.themes, settings.story,
                     settings.summary.theme_threshold)


def themes_of(theming: Theming) -> dict[str, str]:
    return {t.sentence.text: t.theme for t in theming.sentences}


# --- the lexicon ---------------------------------------------------------------------------

def test_terms_match_on_stems_and_phrases_on_stem_sequences() -> None:
    lexicon = compile_theme(TRADE)
    [s] = build_sentences("Trucks queued at the border crossings while traders waited.")
    # truck(s) 2 + border crossing(s) 3; "traders" is not "trade" after stemming
    assert lexicon.score(s.stems) == 5.0


def test_phrase_words_out_of_order_do_not_match() -> None:
    lexicon = compile_theme(CLASHES)
    [s] = build_sentences("The fire destroyed a market where goods were exchanged.")
    assert lexicon.score(s.stems) == 0.0


def test_a_term_counts_once_per_sentence() -> None:
    lexicon = compile_theme(CLASHES)
    [s] = build_sentences("Clashes, clashes and more clashes were reported on the frontier.")
    assert lexicon.score(s.stems) == 3.0


@pytest.mark.parametrize("text", ["The ceasefire held.", "The cease-fire held.",
                                  "The cease fire held.", "The Cease-Fire held."])
def test_spelling_variants_of_a_term_match(text: str) -> None:
    lexicon = compile_theme(Theme("talks", "Talks", "", {"ceasefire": 3}))
    [s] = build_sentences(text)
    assert lexicon.found(s.stems) == {"ceasefire": 3.0}


@pytest.mark.parametrize("british, american", [
    ("Kabul was recognised", "Kabul was recognized"), ("the defence ministry", "the defense "
     "ministry"), ("a harbour", "a harbor"), ("the city centre", "the city center"),
    ("they analysed it", "they analyzed it"), ("a dialogue", "a dialog")])
def test_british_and_american_spellings_meet(british: str, american: str) -> None:
    from briefing.text import stems

    assert stems(british) == stems(american)


def test_cross_border_is_not_a_crossing() -> None:
    lexicon = compile_theme(Theme("trade", "Trade", "", {"crossing": 2}))
    [s] = build_sentences("Officials vowed to end cross-border attacks.")
    assert lexicon.score(s.stems) == 0.0


def test_law_and_order_is_no_recognition_term(settings: Settings) -> None:
    recognition = compile_theme(next(t for t in settings.themes if t.key == "recognition"))
    [order] = build_sentences("The law and order situation in the province has improved.")
    [lawful] = build_sentences("Islamabad does not regard it as the lawful government.")
    assert recognition.score(order.stems) == 0.0
    assert recognition.score(lawful.stems) > 0.0


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'", max_size=60))
def test_matching_never_fails_on_any_text(text: str) -> None:
    from briefing.text import stems

    assert compile_theme(CLASHES).score(stems(text)) >= 0.0


def test_a_term_of_only_common_words_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no content words"):
        compile_theme(Theme("t", "T", "", {"the": 1}))


# --- the story -----------------------------------------------------------------------------

CLASH_STORY = [
    "Pakistani and Afghan forces clashed at the Torkham border on Sunday, and shelling "
    "killed three soldiers.",
    "Both sides blamed each other for starting the shooting.",
    "Officials in Kabul said two Afghan soldiers were killed in the clashes with Pakistan.",
    "Pakistan's army said its posts came under mortar attack from Afghan territory.",
]
QUAKE = [
    "A powerful earthquake struck western Afghanistan on Saturday, killing hundreds.",
    "Rescue teams searched collapsed homes in Herat province through the night.",
    "The quake destroyed villages and left thousands without shelter in the cold.",
    "Pakistan said it would send relief goods and a medical team to Afghanistan.",
    "Aid agencies warned that the death toll was likely to rise further.",
]
INDIA = [
    "India and Pakistan agreed to a ceasefire along the Line of Control on Saturday.",
    "Talks between the two militaries followed days of shelling and drone strikes.",
    "Indian officials said the ceasefire would be reviewed at a meeting next week.",
]


def test_an_article_about_the_story_is_relevant_and_says_why(settings: Settings) -> None:
    theming = day(settings, " ".join(CLASH_STORY))
    judgment = theming.judgments["a.txt"]
    assert judgment.relevant
    assert judgment.reason.startswith("about Pakistan–Afghanistan relations: ")


STRANDED = [
    "Eight days after the Torkham crossing was shut, hundreds of travellers still wait at the "
    "gate with nowhere to go.",
    "A girl who came to Peshawar for treatment has slept on a mosque floor all week.",
    "Her father said the family had spent the last of its money on the journey.",
    "Doctors at the clinic said they had seen dozens of such families.",
    "A trader from Nangarhar said his trucks of fruit had rotted in the queue.",
    "Nobody could say when the gate would open again for travellers and trade.",
    "Local people brought food and blankets to the mosque every evening.",
    "The men said they could not even receive money from relatives at home.",
    "Some had sold their phones to pay for a room for the women and children.",
    "A charity set up a kitchen near the gate on the fifth day.",
    "Its volunteers said the queue for food grew longer every morning.",
    "Several of the travellers were elderly and needed medicine every day.",
]


def test_without_a_headline_the_lead_sets_the_scene(settings: Settings) -> None:
    # Few of its sentences name a side, but its lead names the crossing (both sides): on a
    # page without a headline the lead stands for it, as a headline naming it would.
    theming = day(settings, " ".join(STRANDED))
    assert theming.judgments["a.txt"].relevant
    titled = day(settings, " ".join(STRANDED), titles=("Stranded at the gate",))
    assert not titled.judgments["a.txt"].relevant  # a headline that names neither side wins
    named = day(settings, " ".join(STRANDED), titles=("Stranded at Torkham",))
    assert named.judgments["a.txt"].relevant


def test_an_article_that_only_touches_the_story_is_not_relevant(settings: Settings) -> None:
    theming = day(settings, " ".join(QUAKE), " ".join(INDIA), " ".join(CLASH_STORY))
    quake, india = theming.judgments["a.txt"], theming.judgments["b.txt"]
    assert not quake.relevant and not india.relevant
    assert "earthquake" in quake.reason or "quake" in quake.reason
    assert "Afghanistan not named" in india.reason and "India" in india.reason
    not_relevant = [t for t in theming.sentences if t.sentence.article in ("a.txt", "b.txt")]
    assert {t.theme for t in not_relevant} == {OTHER}  # never cited
    assert all(t.why.story == "its article is not about the story" for t in not_relevant)


def test_a_reason_names_the_sides_in_the_configurations_order(settings: Settings) -> None:
    """Not in the order of a set, which changes from one process to the next."""
    theming = day(settings, "Meteors lit up the sky over Norway on Tuesday night. "
                            "Astronomers said the storm would return next year.")
    judgment = theming.judgments["a.txt"]
    assert [s.name for s in settings.story.sides] == ["Pakistan", "Afghanistan"]
    assert judgment.reason.endswith("; Pakistan not named; Afghanistan not named")


FENCE = Theme("clashes", "Clashes", "", {"fence": 2, "clash": 3})
FENCE_STORY = [
    "The Taliban tore down parts of the fence Pakistan built along the Durand Line.",
    "Pakistan said the fence would be finished this year despite Afghan objections.",
    "Kabul has never accepted the fence, a Taliban spokesman in Afghanistan said.",
    "Villagers on both sides of the border watched as the work went on.",
]


def judged(settings: Settings, body: str, themes_: list[Theme]) -> Judgment:
    theming = theme_day([article("a.txt", body)], build_sentences(body), themes_,
                        settings.story, settings.summary.theme_threshold)
    return theming.judgments["a.txt"]


def test_a_theme_running_through_an_article_makes_it_relevant(settings: Settings) -> None:
    """No sentence is sure of its theme on its own (one term each), but three are."""
    assert judged(settings, " ".join(FENCE_STORY), [FENCE]).relevant
    one = judged(settings, " ".join(FENCE_STORY[:1] + FENCE_STORY[3:]), [FENCE])
    assert not one.relevant
    assert "none of its sentences is clearly about one of the brief's themes" in one.reason


def test_an_ambassadors_rank_before_his_name_is_no_recognition_term(settings: Settings) -> None:
    theming = day(settings, "Ambassador Mohammad Sadiq expressed condolences in Kabul on behalf "
                            "of Pakistan's prime minister. Pakistan will send an ambassador to "
                            "Kabul once the Taliban government is recognised.")
    first, second = theming.sentences
    assert first.scores["recognition"] == 0 and "ambassador" not in first.why.terms
    assert second.scores["recognition"] > 0


def test_a_sentence_about_one_side_and_a_third_country_is_not_this_storys(
        settings: Settings) -> None:
    body = " ".join([*CLASH_STORY,
                     "Pakistan's prime minister met the Iranian president to discuss trade "
                     "and a gas pipeline at talks in Tehran."])
    theming = day(settings, body)
    last = theming.sentences[-1]
    assert last.theme == OTHER and last.scores["talks"] > 0
    assert last.why.story.startswith("about one side and the world: names Pakistan with ")


TALIBAN_INDIA = [
    "India's foreign minister met the Taliban's acting foreign minister in New Delhi on Friday.",
    "Indian officials said the talks with the Afghan delegation covered trade and visas.",
    "India will upgrade its technical mission in Kabul to a full embassy, Delhi said.",
    "The Taliban asked India to resume work on dams and roads it had funded in Afghanistan.",
    "An Indian spokesman said the visit did not amount to formal recognition.",
    "Pakistan, which fought border clashes with the Taliban this month, watched the visit.",
    "Islamabad has accused Kabul of sheltering militants who attack Pakistan.",
]


def test_an_article_about_a_third_country_and_one_side_is_not_relevant(
        settings: Settings) -> None:
    """Pakistan comes up twice; India is in five of the seven sentences."""
    judgment = day(settings, " ".join(TALIBAN_INDIA)).judgments["a.txt"]
    assert not judgment.relevant
    assert judgment.reason == ("about India and Afghanistan; India in 5 of 7 sentences, "
                               "Pakistan in 2")
    # with the rule off, the same article counts for the story
    off = replace(settings, story=replace(settings.story, outside_ratio=0.0))
    assert day(off, " ".join(TALIBAN_INDIA)).judgments["a.txt"].relevant


def test_a_third_country_named_as_often_as_a_side_leaves_the_article_relevant(
        settings: Settings) -> None:
    body = " ".join([*CLASH_STORY, "Iran offered to mediate between Pakistan and Afghanistan.",
                     "Iranian officials said Tehran was ready to host talks."])
    assert day(settings, body).judgments["a.txt"].relevant


@pytest.mark.parametrize("sentence", [
    # "Turkey" is a related name in briefing.toml, so all its names are inside the story
    "Pakistani delegates stayed on in Istanbul to resume negotiations at the request of "
    "their Turkish hosts.",
    # "Emirate" inside the side's own name "Islamic Emirate" is not the Emirates
    "A spokesman for the Islamic Emirate confirmed the agreement reached in the talks.",
])
def test_names_of_the_storys_own_countries_are_not_a_third_country(
        settings: Settings, sentence: str) -> None:
    last = day(settings, " ".join([*CLASH_STORY, sentence])).sentences[-1]
    assert last.why.place == "on", last.why.story


def test_a_side_scoped_theme_takes_one_side_and_the_world(settings: Settings) -> None:
    body = " ".join([*CLASH_STORY, "Russia formally recognised the Taliban government in "
                                   "Kabul and accepted its ambassador."])
    last = day(settings, body).sentences[-1]
    assert last.theme == "recognition"  # recognition's scope is "side" in briefing.toml


def test_without_a_story_every_article_counts(settings: Settings) -> None:
    plain = replace(settings, story=NO_STORY)
    theming = day(plain, " ".join(INDIA))
    assert theming.judgments["a.txt"].relevant
    assert "talks" in themes_of(theming).values()


# --- context and learning ------------------------------------------------------------------

def test_context_gives_a_theme_to_a_sentence_without_a_theme_word(settings: Settings) -> None:
    theming = day(settings, " ".join(CLASH_STORY),
                  titles=("Pakistani and Afghan forces clash on the border",))
    sentence = themes_of(theming)["Both sides blamed each other for starting the shooting."]
    assert sentence == "clashes"
    [why] = [t.why for t in theming.sentences if t.sentence.text.startswith("Both sides")]
    assert why.terms == () and why.context > 0 and why.total >= 2.5


def only_learned(weight: float = 3.0) -> themes.Combiner:
    """Weights under which only the model's own prediction for a sentence counts."""
    w = themes.Weights(tuple(weight if f == "learned" else 0.0 for f in themes.THEME_FEATURES),
                       tuple(1.0 if f == "bias" else 0.0 for f in themes.AGAINST_FEATURES))
    return themes.Combiner(w, w)


def test_the_day_teaches_words_the_lexicon_never_listed(settings: Settings) -> None:
    clashes = [f"Pakistani and Afghan troops clashed at the Torkham border and {n} soldiers "
               "were killed as howitzer shelling hit positions in the clashes."
               for n in ("two", "three", "four", "five")]
    trade = [f"Traders said {n} trucks loaded with goods for trade waited at the Chaman "
             "crossing as exports stopped." for n in ("fifty", "sixty", "seventy", "eighty")]
    unknown = "Afghan howitzer rounds hit Pakistani positions overnight."
    body = "\n\n".join([*clashes, *trade, unknown])
    theming = theme_day([article("a.txt", body)], build_sentences(body), settings.themes,
                        settings.story, settings.summary.theme_threshold,
                        weights=only_learned())
    last = theming.sentences[-1]
    assert last.scores["clashes"] == 0  # no word of the clashes lexicon
    assert last.why.best == "clashes" and last.why.learned >= 1.0


def test_earlier_days_teach_a_small_day_what_its_own_text_cannot(settings: Settings) -> None:
    """A day of one sentence learns nothing from itself; the archive's earlier days'
    sure sentences (themes.examples) teach it that howitzers go with clashes."""
    earlier = [*(f"Pakistani and Afghan troops clashed at the Torkham border and {n} soldiers "
                 "were killed as howitzer shelling hit positions in the clashes."
                 for n in ("two", "three", "four", "five")),
               *(f"Traders said {n} trucks loaded with goods for trade waited at the Chaman "
                 "crossing as exports stopped." for n in ("fifty", "sixty", "seventy", "eighty"))]
    bodies = ["\n\n".join(earlier)]
    taught = themes.examples([article("old.txt", bodies[0])], build_sentences(*bodies),
                             settings.themes, settings.story)
    assert {label for label, _ in taught} >= {"clashes", "trade"}
    assert all(isinstance(words, tuple) for _, words in taught)

    unknown = "Afghan howitzer rounds hit Pakistani positions overnight."
    sentences = build_sentences(unknown)
    alone = theme_day([article("a.txt", unknown)], sentences, settings.themes, settings.story,
                      settings.summary.theme_threshold, weights=only_learned()).sentences[0]
    assert alone.why.learned == 0  # too little to learn from
    helped = theme_day([article("a.txt", unknown)], sentences, settings.themes, settings.story,
                       settings.summary.theme_threshold, background=taught,
                       weights=only_learned()).sentences[0]
    assert helped.scores["clashes"] == 0 and helped.why.best == "clashes"
    assert helped.why.learned >= 1.0


def test_a_new_theme_works_from_a_short_term_list(tmp_path: Path) -> None:
    text = (ROOT / "briefing.toml").read_text(encoding="utf-8")
    text += '\n[[themes]]\nkey = "refugees"\nlabel = "Refugees"\n[themes.terms]\nrefugee = 3\n'
    settings = parse_settings(tomllib.loads(text), tmp_path)
    body = " ".join([*CLASH_STORY, "Thousands of Afghan refugees were deported from Pakistan "
                                   "through the Torkham border on Monday."])
    last = day(settings, body).sentences[-1]
    assert last.theme == "refugees"
    assert set(last.scores) == {"recognition", "clashes", "talks", "trade", "refugees"}


def test_ties_go_to_the_theme_listed_first(settings: Settings) -> None:
    plain = replace(settings, story=NO_STORY, themes=(TRADE, CLASHES),
                    summary=replace(settings.summary, theme_threshold=1.0))
    text = "A clash near the border crossing was reported."
    a = day(plain, text)
    b = day(replace(plain, themes=(CLASHES, TRADE)), text)
    assert a.sentences[0].theme == "trade" and b.sentences[0].theme == "clashes"


def test_the_headline_is_context_too(settings: Settings) -> None:
    body = "Officials gave no figures for the day. The situation remained tense in the area."
    with_title = day(settings, body, titles=("Pakistan, Afghanistan clash at Torkham border",))
    assert all(t.why.context > 0 for t in with_title.sentences if t.why.terms == ())


def test_an_untitled_article_has_no_headline_context() -> None:
    a: Article = article("a.txt", "Nothing here.")
    assert a.title is None


# --- the learnt weights ---------------------------------------------------------------------

def test_the_shipped_weights_match_the_features_and_the_default_threshold() -> None:
    from briefing.config import SummarySettings

    shipped = themes.combiner()
    for w in (shipped.taught, shipped.untaught):
        assert len(w.theme) == len(themes.THEME_FEATURES)
        assert len(w.against) == len(themes.AGAINST_FEATURES)
        assert w.against[0] == SummarySettings().theme_threshold  # the bias is the threshold
    assert themes.Combiner.from_json(shipped.to_json()) == shipped


def test_weights_for_other_features_are_refused() -> None:
    data = themes.combiner().to_json()
    data["theme_features"] = ["own"]
    with pytest.raises(ValueError, match="retrain"):
        themes.Combiner.from_json(data)


def test_the_model_taught_by_many_sentences_uses_the_taught_weights(settings: Settings) -> None:
    """A day whose model learnt from TAUGHT_EXAMPLES sentences or more is weighed with
    `taught`, a smaller one with `untaught`; the parts of the evidence add up."""
    sure = [f"Pakistani and Afghan troops clashed at the Torkham border and {n} soldiers were "
            "killed in the clashes." for n in range(themes.TAUGHT_EXAMPLES)]
    plain = [f"Traders said {n} trucks loaded with goods for trade waited at the Chaman "
             "crossing as exports stopped." for n in range(5)]
    bodies = ["\n\n".join(sure), "\n\n".join(plain)]
    articles = [article("a.txt", bodies[0]), article("b.txt", bodies[1])]
    big = themes.evidence(articles, build_sentences(*bodies), settings.themes, settings.story)
    small = themes.evidence(articles[1:], build_sentences(bodies[1]), settings.themes,
                            settings.story)
    assert big.taught and not small.taught
    theming = theme_day(articles, build_sentences(*bodies), settings.themes, settings.story,
                        settings.summary.theme_threshold)
    for t in theming.sentences:
        w = t.why
        assert abs(w.own + w.context + w.learned - w.against - w.total) < 0.01


# --- fast paths, held to what they replace ---------------------------------------------------

def _topic_by_sentence(article_: Article, sentences: list[Sentence], lex: StoryLexicon) -> str:
    """story.topic as it was first written: each sentence's tokens looked at in turn."""
    from collections import Counter

    from briefing.story import TOKEN
    from briefing.text import STOPWORDS, stems

    def _topic_word(token: str) -> tuple[str, str] | None:
        word = token.lower()
        if word in STOPWORDS or word.isdigit() or len(word) < 4:
            return None
        [key] = stems(word) or [""]
        if not key:
            return None
        return key, token if token[:1].isupper() and not token.isupper() else word

    story_stems = {s for lex_ in (*lex.sides, lex.bridges) for s in lex_.words}
    title = [e for e in map(_topic_word, TOKEN.findall(article_.title or ""))
             if e is not None and e[0] not in story_stems]
    body = [e for s in sentences for e in map(_topic_word, TOKEN.findall(s.text))
            if e is not None and e[0] not in story_stems]
    found: Counter[str] = Counter()
    for key, _ in title:
        found[key] += 3
    found.update(key for key, _ in body)
    spelled = dict(reversed(title + body))
    return ", ".join(spelled[k] for k, _ in found.most_common(3)) or "something else"


_WORDS = st.sampled_from(["Herat", "herat", "earthquake", "Earthquake", "relief", "Pakistan",
                          "Kabul", "aid", "Aid", "quake-hit", "village's", "Relief", "Tajik",
                          "the", "and", "2023", "UN", "floods", "Floods"])


@given(st.lists(st.lists(_WORDS, min_size=1, max_size=8), min_size=1, max_size=5),
       st.one_of(st.none(), st.lists(_WORDS, max_size=5)))
def test_an_articles_topic_is_what_counting_sentence_by_sentence_gives(
        bodies: list[list[str]], title: list[str] | None) -> None:
    from briefing.story import compile_story, topic

    settings = parse_settings(tomllib.loads((ROOT / "briefing.toml").read_text()), ROOT)
    lex = compile_story(settings.story)
    text_ = "\n\n".join(" ".join(words) + "." for words in bodies)
    a = replace(article("a.txt", text_), title=" ".join(title) if title is not None else None)
    sentences = build_sentences(text_)
    assert topic(a, sentences, lex) == _topic_by_sentence(a, sentences, lex)


@given(st.text(alphabet=st.sampled_from("AEnvoyCnsulhargéb dmsr.DrMKhan"), max_size=60))
def test_ranks_before_names_are_looked_for_only_where_a_rank_is(text_: str) -> None:
    from briefing.text import TITLE_BEFORE_NAME, addressed, stems

    titles = [st for m in TITLE_BEFORE_NAME.finditer(text_) for st in stems(m.group(0))]
    left = list(stems(text_))  # what `addressed` computed before it looked for a rank first
    for st_ in titles:
        if st_ in left:
            left.remove(st_)
    assert addressed(text_, stems(text_)) == tuple(left)
    for rank in ("Ambassador Sadiq said", "Envoy Khan met", "Consul General Ali spoke",
                 "Chargé d'Affaires Nizamani left"):
        assert len(addressed(rank, stems(rank))) < len(stems(rank))


@given(st.lists(st.floats(-10, 10), min_size=6, max_size=6),
       st.lists(st.lists(st.floats(-10, 10), min_size=6, max_size=6), min_size=1, max_size=4),
       st.integers(0, 5), st.integers(0, 6))
def test_a_weighted_part_adds_in_order(weights: list[float], rows: list[list[float]],
                                       start: int, stop: int) -> None:
    """Every sentence's sum is the one Python adds up, feature by feature, bit for bit."""
    part, rest = range(start, max(start, stop)), range(max(start, stop), 6)
    columns = np.array(rows).T  # one column of values per feature
    mine, others = themes._weighed(weights, columns, [part, rest], (len(rows),))
    for got, part_ in ((mine, part), (others, rest)):
        expected = [float(sum(weights[j] * row[j] for j in part_)) for row in rows]
        assert got.tolist() == expected
        assert np.signbit(got).tolist() == np.signbit(expected).tolist()  # 0 + -0.0 is 0.0


def _predicted_one_by_one(model: themes.NaiveBayes, sentence_stems: Sequence[str],
                          taught: str | None = None) -> dict[str, float]:
    """NaiveBayes.predict as it was first written: one sentence, word by word."""
    known = model.vocabulary.intersection(sentence_stems)
    if not known:
        return {}
    size = len(model.vocabulary)
    scores = {}
    for label, counts in model.counts.items():
        mine = 1 if label == taught else 0
        total = model.totals[label] - mine * len(known) + themes.SMOOTHING * size
        scores[label] = sum(math.log(counts[w] - mine + themes.SMOOTHING) for w in sorted(known)) \
            - len(known) * math.log(total)
    top = max(scores.values())
    weights = {label: math.exp(v - top) for label, v in scores.items()}
    whole = sum(weights.values())
    return {label: w / whole for label, w in weights.items()}


def _evidence_one_by_one(articles: Sequence[Article], sentences: Sequence[Sentence],
                         themes_: Sequence[Theme], story_: StorySettings
                         ) -> dict[int, tuple[dict[str, tuple[float, ...]], tuple[float, ...],
                                              tuple[str, ...]]]:
    """Each sentence's evidence as it was first computed: sentence by sentence, in Python."""
    sure = themes._sure(articles, sentences, themes_, story_)
    keys = [lex.key for lex in sure.lexicons]
    model = themes._train(sentences, sure.taught, keys)
    scope = {t.key: t.scope for t in themes_}
    out = {}
    for article_id, members in sure.placed.members.items():
        article_ = sure.placed.articles.get(article_id)
        title = stems(article_.title or "") if article_ is not None else ()
        headline = {lex.key: lex.score(addressed(article_.title or "", title))
                    if article_ is not None else 0.0 for lex in sure.lexicons}
        on = [i for i in members if sure.placed.place[i] == ON]
        totals = {k: sum(sure.own[i][k] for i in on) for k in keys}
        whole = sum(totals.values())
        share = {k: totals[k] / whole if whole else 0.0 for k in keys}
        learned = {i: _predicted_one_by_one(model, sentences[i].stems, sure.taught[i])
                   if model else {} for i in members}
        learned_headline = _predicted_one_by_one(model, title) if model and title else {}
        learned_article = {k: sum(learned[i].get(k, 0.0) for i in on) / len(on) if on else 0.0
                           for k in (*keys, OTHER)}
        for n, i in enumerate(members):
            before = members[n - 1] if n > 0 else None
            after = members[n + 1] if n + 1 < len(members) else None
            mine = sure.own[i]
            top = max(mine.values(), default=0.0)
            silent = 1.0 if top == 0 else 0.0
            vectors = {}
            for k in keys:
                rest = max((mine[j] for j in keys if j != k), default=0.0)
                vectors[k] = (
                    mine[k], math.log1p(mine[k]), mine[k] - rest,
                    1.0 if mine[k] == top > 0 else 0.0,
                    sure.own[before][k] if before is not None else 0.0,
                    sure.own[after][k] if after is not None else 0.0,
                    headline[k], share[k],
                    learned[before].get(k, 0.0) if before is not None else 0.0,
                    learned[after].get(k, 0.0) if after is not None else 0.0,
                    learned_article[k], learned_headline.get(k, 0.0),
                    silent * share[k], silent * learned_article[k], learned[i].get(k, 0.0))
            against = (1.0, top, learned[i].get(OTHER, 0.0), learned_article[OTHER],
                       min(len(sentences[i].stems), 40) / 40, 0.0 if learned[i] else 1.0)
            eligible = tuple(k for k in keys if sure.placed.place[i] == ON
                             or (sure.placed.place[i] == OUTSIDE and scope[k] == "side"))
            out[i] = (vectors, against, eligible)
    return out


@pytest.mark.parametrize("day", ["seeds", "each seed alone", "one theme", "no story"])
def test_the_days_evidence_is_what_weighing_sentence_by_sentence_gives(
        settings: Settings, day: str) -> None:
    """The evidence columns (numpy, whole days at once) hold, for every sentence and theme,
    what the per-sentence code computed (to rounding: numpy's log and exp may differ from
    the math module's in the last bits)."""
    from briefing.source import FolderSource

    reading = FolderSource(ROOT / "seeds").read(settings).reading
    themes_, story_ = settings.themes, settings.story
    days = [(reading.articles, reading.sentences)]
    if day == "each seed alone":
        days = [([a], [s for s in reading.sentences if s.article == a.id])
                for a in reading.articles]
    elif day == "one theme":
        themes_ = themes_[1:2]
    elif day == "no story":
        story_ = replace(story_, sides=())
    for articles_, sentences in days:
        found = themes.evidence(articles_, sentences, themes_, story_)
        expected = _evidence_one_by_one(articles_, sentences, themes_, story_)
        seen = 0
        for e in found.sentences:
            vectors, against, eligible = expected[e.index]
            assert e.eligible == eligible
            assert e.against == pytest.approx(against, rel=1e-12, abs=1e-12)
            for k, vector in vectors.items():
                assert e.theme[k] == pytest.approx(vector, rel=1e-12, abs=1e-12), (e.index, k)
            seen += 1
        assert seen == len(sentences)


# --- the shortcuts of a large day answer as the sentence-by-sentence definitions ----------

def _default_settings() -> Settings:
    from briefing.config import load_settings

    return load_settings(ROOT / "briefing.toml")


_DEFAULT = _default_settings()
_LEXICONS = themes.compile_themes(_DEFAULT.themes)
_STORY = themes.compile_story(_DEFAULT.story)
# Stems a term or a story's name starts with, and some that none does.
_STEMS = sorted({*(s for lex in _LEXICONS for s in lex.starts),
                 *(s for lex in (*_STORY.sides, _STORY.bridges) for s in lex.starts),
                 *stems("weather market football cricket river")}) if _STORY else []
_STEM_LISTS = st.lists(st.lists(st.sampled_from(_STEMS), max_size=12).map(tuple), max_size=8)


@given(_STEM_LISTS)
def test_own_terms_are_each_lexicons_score_and_terms(topics: list[tuple[str, ...]]) -> None:
    own, terms = themes._own_terms(_LEXICONS, topics)
    for i, topic in enumerate(topics):
        assert own[i] == {lex.key: lex.score(topic) for lex in _LEXICONS}
        assert [type(v) for v in own[i].values()] == \
            [type(lex.score(topic)) for lex in _LEXICONS]  # 0, not 0.0, as the JSON has it
        assert terms[i] == {lex.key: tuple(lex.found(topic)) for lex in _LEXICONS
                            if lex.found(topic)}


@given(st.lists(st.sampled_from(_STEMS), max_size=12))
def test_the_sides_a_sentence_names_are_those_whose_names_it_holds(words: list[str]) -> None:
    assert _STORY is not None
    every = frozenset(s.key for s in _STORY.sides)
    expected = every if _STORY.bridges.score(words) > 0 else \
        frozenset(s.key for s in _STORY.sides if s.score(words) > 0)
    assert _STORY.named(words) == expected
