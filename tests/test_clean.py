"""Cleaning: page furniture out, prose kept, title/outlet/author/date found."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.clean import clean, line_key, normalize
from briefing.ingest import read_file
from briefing.models import Article, RawDocument

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Made-up article prose (each paragraph well over the body threshold).
P1 = ("The water ministry said on Wednesday that a new reservoir near the northern valley "
      "would be completed by the end of next year, easing shortages for farmers.")
P2 = ("Engineers working on the project said heavy rains in the spring had delayed the "
      "pouring of concrete, but that the schedule could still be met.")
P3 = ("Local councils have asked the ministry to publish the full cost of the scheme, which "
      "critics say has grown far beyond the original estimate.")


def run(text: str, meta_title: str | None = None, meta_outlet: str | None = None,
        meta_author: str | None = None) -> Article:
    return clean(RawDocument(id="doc", path="doc.txt", text=text, encoding="utf-8",
                             meta_title=meta_title, meta_outlet=meta_outlet,
                             meta_author=meta_author))


def paras(*parts: str) -> str:
    return "\n\n".join(parts)


def reasons(article: Article) -> dict[str, str]:
    return {r.text: r.reason for r in article.removed}


# --- normalize -----------------------------------------------------------------

def test_normalize_newlines_invisibles_and_spaces() -> None:
    text = "  Cafe\u0301\u200b  opens\r\n\tnow \u00ad\rend\ufeff "
    assert normalize(text) == "Café opens\nnow\nend"


def test_line_key_ignores_case_and_punctuation() -> None:
    assert line_key("Water Reservoir: Delayed!") == line_key("water reservoir delayed")


# --- the body keeps prose ----------------------------------------------------------

def test_plain_article_is_kept_as_is() -> None:
    article = run(paras(P1, P2, P3))
    assert article.paragraphs == [P1, P2, P3]
    assert article.removed == ()


# --- share rows, navigation, prompts ---------------------------------------------------

@pytest.mark.parametrize("row", [
    "Share Facebook Twitter Email Print",
    "ShareFacebook Twitter",
    "Share on Facebook | Share on X | Copy link",
    "Follow us on Telegram",
    "Subscribe to our newsletter",
    "Subscribe to the Express Tribune for the latest stories",
])
def test_share_and_navigation_rows_are_dropped(row: str) -> None:
    article = run(paras("Reservoir Work Falls Behind Schedule", row, P1, row, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[row] == "share, navigation or comment prompt"


@pytest.mark.parametrize("row", [
    "Share Tweet WhatsApp Email",
    "Share Facebook Twitter WhatsApp Email",
    "Share on Facebook Twitter LinkedIn",
])
def test_share_row_before_the_body_is_not_taken_as_the_title(row: str) -> None:
    article = run(paras(row, P1, P2))
    assert article.paragraphs == [P1, P2]
    assert article.title is None
    assert reasons(article)[row] == "share, navigation or comment prompt"


def test_share_row_with_tweet_after_a_headline_never_reaches_the_body() -> None:
    article = run(paras("Reservoir Work Falls Behind Schedule", "Share Tweet WhatsApp Email",
                        P1, "Share Tweet WhatsApp Email"))
    assert article.title == "Reservoir Work Falls Behind Schedule"
    assert article.paragraphs == [P1]


def test_related_articles_and_everything_after_it_dropped() -> None:
    tail = ["Related Articles", "Dam Inspectors Warn Of Cracks In Older Structures",
            "A second story's opening sentence that is a full, long line of prose text here."]
    article = run(paras(P1, P2, *tail))
    assert article.paragraphs == [P1, P2]
    found = reasons(article)
    assert found["Related Articles"] == "end-of-article marker"
    assert found[tail[1]] == "after an end-of-article marker"
    assert found[tail[2]] == "after an end-of-article marker"


def test_related_articles_before_the_body_does_not_cut_the_article() -> None:
    article = run(paras("Related Articles", P1, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["Related Articles"] == "share, navigation or comment prompt"


def test_tail_still_dates_the_article() -> None:
    article = run(paras(P1, "You may also like", "Published: 2025-10-27"))
    assert article.paragraphs == [P1]
    assert article.published == date(2025, 10, 27)


@pytest.mark.parametrize("prompt", ["Leave a comment", "Post a Comment", "Comments",
                                    "Add your comment", "View all comments"])
def test_comment_prompts_dropped(prompt: str) -> None:
    article = run(paras(P1, prompt, P2))
    assert P1 in article.paragraphs
    assert prompt not in article.body
    assert prompt in reasons(article)


def test_comment_prompt_before_the_body_is_dropped_without_cutting() -> None:
    article = run(paras("Leave a comment", P1, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["Leave a comment"] == "share, navigation or comment prompt"


# --- real prose that merely uses page vocabulary is kept ----------------------------------

@pytest.mark.parametrize("sentence", [
    "The ministry declined to comment on the report.",
    "Officials did not respond to a request for comment.",
    "Pakistan's share of regional trade fell sharply last year.",
    "Farmers will share the water under a rotation agreed last month.",
    "The court heard a copyright case brought by a local publisher.",
    "Related talks are due to open in Geneva next week, diplomats said.",
    "Comments by the minister angered opposition lawmakers.",
])
def test_prose_using_page_vocabulary_survives(sentence: str) -> None:
    article = run(paras(P1, sentence, P2))
    assert article.paragraphs == [P1, sentence, P2]


@pytest.mark.parametrize("sentence", [
    "Farmers in the valley share this concern, the council said.",
    "Investors may read more into the decision than officials intended.",
])
def test_prose_containing_promo_phrases_survives(sentence: str) -> None:
    article = run(paras(P1, sentence, P2))
    assert article.paragraphs == [P1, sentence, P2]


def test_news_about_a_copyright_lawsuit_survives() -> None:
    sentence = ("The publisher denied any liability in the copyright case, its lawyers told "
                "the court on Monday after a long hearing.")
    article = run(paras(P1, sentence, P2))
    assert sentence in article.paragraphs


# --- legal disclaimers -------------------------------------------------------------------

def test_legal_disclaimer_dropped() -> None:
    disclaimer = ("This material is provided without warranty of any kind and the publisher "
                  "accepts no responsibility for its accuracy.")
    article = run(paras(P1, P2, "Disclaimer:", disclaimer, "© 2025 Valley Times"))
    assert article.paragraphs == [P1, P2]
    found = reasons(article)
    assert found["Disclaimer:"] == "legal disclaimer"
    assert found[disclaimer] == "legal disclaimer"
    assert found["© 2025 Valley Times"] == "legal disclaimer"


# --- bylines, stamps, images ----------------------------------------------------------

def test_by_byline_sets_the_author() -> None:
    article = run(paras("Reservoir Work Falls Behind Schedule", "By Jane Doe", P1, P2))
    assert article.author == "Jane Doe"
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["By Jane Doe"] == "byline"


def test_name_next_to_an_author_cue_is_the_author() -> None:
    article = run(paras("Reservoir Work Falls Behind Schedule", "Staff Reporter",
                        "Maria Okafor", P1))
    assert article.author == "Maria Okafor"
    assert article.paragraphs == [P1]


def test_metadata_author_is_kept_over_a_byline() -> None:
    article = run(paras("By Jane Doe", P1), meta_author="J. Doe")
    assert article.author == "J. Doe"
    assert article.paragraphs == [P1]


def test_by_the_numbers_label_is_not_an_author() -> None:
    article = run(paras(P1, "By the numbers", P2))
    assert article.author is None


def test_updated_on_stamp_is_dropped_and_dates_the_article() -> None:
    article = run(paras("Reservoir Work Falls Behind Schedule", "Updated On",
                        "Updated On 14 Mar 2025 08:30 PKT", P1, P2))
    assert article.paragraphs == [P1, P2]
    assert article.published == date(2025, 3, 14)
    assert "Updated On 14 Mar 2025 08:30 PKT" in article.date_note
    found = reasons(article)
    assert found["Updated On 14 Mar 2025 08:30 PKT"] == "date stamp"
    assert "Updated On" in found


@pytest.mark.parametrize("placeholder", ["Image", "[Photo]", "Photo: AFP",
                                         "(Photo credit: Reuters)", "File photo",
                                         "author-image"])
def test_image_placeholders_dropped(placeholder: str) -> None:
    article = run(paras(P1, placeholder, P2))
    assert article.paragraphs == [P1, P2]
    assert placeholder in reasons(article)


# --- repetition --------------------------------------------------------------------

def test_headline_becomes_title_and_its_repeats_are_dropped() -> None:
    headline = "Reservoir Work Falls Behind Schedule"
    article = run(paras(headline, "Share Facebook Twitter", headline, P1, headline.upper(), P2))
    assert article.title == headline
    assert article.paragraphs == [P1, P2]
    assert headline not in article.body
    dropped = [r.reason for r in article.removed]
    assert dropped.count("repeated headline") == 2
    assert "headline (kept as the title)" in dropped


def test_metadata_title_repeated_in_the_text_is_dropped() -> None:
    article = run(paras("Reservoir work falls behind schedule", P1),
                  meta_title="Reservoir Work Falls Behind Schedule")
    assert article.title == "Reservoir Work Falls Behind Schedule"
    assert article.paragraphs == [P1]
    assert reasons(article)["Reservoir work falls behind schedule"] == "repeated headline"


def test_repeated_lead_paragraph_kept_once() -> None:
    article = run(f"{P1}\n{P1}\n\n{P2}\n\n{P3}")
    assert article.paragraphs == [P1, P2, P3]
    assert article.body.count(P1) == 1
    assert reasons(article)[P1] == "repeated paragraph"


def test_near_identical_repeat_dropped() -> None:
    variant = P1.replace("on Wednesday", "Wednesday")
    article = run(paras(P1, variant, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[variant] == "repeated paragraph (near-identical)"


# --- recap ----------------------------------------------------------------------

@pytest.mark.parametrize("heading", ["Key Takeaways", "Highlights", "At a glance:"])
def test_recap_heading_and_its_bullets_dropped(heading: str) -> None:
    bullets = ["• Reservoir to be finished by the end of next year.",
               "• Spring rains delayed the concrete work.",
               "- Councils want the full cost published"]
    closing = ("The ministry is expected to present a revised budget for the scheme to "
               "parliament before the summer recess.")
    article = run(paras(P1, P2, heading, "\n".join(bullets), closing))
    assert article.paragraphs == [P1, P2, closing]
    found = reasons(article)
    assert found[heading] == "recap heading"
    for bullet in bullets:
        assert found[bullet] == "recap list (repeats the article)"


def test_bullets_without_a_recap_heading_are_kept_without_markers() -> None:
    article = run(paras(P1, "• The reservoir will hold enough water for two dry seasons."))
    assert article.paragraphs == [P1, "The reservoir will hold enough water for two dry seasons."]


# --- wire credits and datelines ------------------------------------------------------------

def test_wire_credit_sets_source_and_is_removed() -> None:
    article = run(paras("(Reuters) - " + P1, P2))
    assert article.outlet == "Reuters"
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["(Reuters) -"] == "wire credit"


def test_dateline_with_wire_credit() -> None:
    article = run("LAHORE, Mar 14 (AP) — " + P1)
    assert article.outlet == "AP"
    assert article.paragraphs == [P1]


def test_dateline_alone_is_removed() -> None:
    article = run("KARACHI: " + P1)
    assert article.outlet is None
    assert article.paragraphs == [P1]
    assert reasons(article)["KARACHI:"] == "dateline"


def test_dateline_with_a_slashed_agency_credit() -> None:
    article = run("KABUL, December 12. /TASS/. " + P1)
    assert article.outlet == "TASS"
    assert article.paragraphs == [P1]


@pytest.mark.parametrize("question", [
    "What is the court's new ruling?",
    "When and why was this court set up?",
    "How informative is this news?",
])
def test_a_question_standing_alone_in_the_body_is_a_sub_heading(question: str) -> None:
    article = run(paras(P1, question, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[question] == "sub-heading (a question)"


def test_a_question_headline_is_the_title() -> None:
    article = run(paras("Will the new reservoir end the shortages?", P1, P2))
    assert article.title == "Will the new reservoir end the shortages?"
    assert article.paragraphs == [P1, P2]


@pytest.mark.parametrize("line", [
    "“What choice do we have?” asked a farmer who has waited for water since March.",
    "“What choice do we have?”",
    "Why did the council wait so long to publish the cost of a scheme whose budget has "
    "doubled, and who will pay for the overrun now that the contractor has walked away?",
])
def test_quoted_or_long_questions_are_prose(line: str) -> None:
    assert run(paras(P1, line, P2)).paragraphs == [P1, line, P2]


def test_metadata_source_is_kept_over_a_wire_credit() -> None:
    article = run("(Reuters) - " + P1, meta_outlet="Valley Times")
    assert article.outlet == "Valley Times"
    assert article.paragraphs == [P1]


def test_parenthesis_inside_a_sentence_is_not_a_credit() -> None:
    sentence = "Officials from the ministry (including two engineers) visited the site on Monday."
    article = run(paras(P1, sentence))
    assert article.paragraphs == [P1, sentence]
    assert article.outlet is None


# --- hard-wrapped text ------------------------------------------------------------------

def test_hard_wrapped_lines_are_rejoined_into_paragraphs() -> None:
    wrapped = (
        "The water ministry said on Wednesday that a new reservoir near the\n"
        "northern valley would be completed by the end of next year, easing\n"
        "shortages for farmers.\n"
        "\n"
        "Engineers working on the project said heavy rains in the spring had\n"
        "delayed the pouring of concrete, but that the schedule could still be\n"
        "met.\n"
    )
    article = run(wrapped)
    assert article.paragraphs == [P1, P2]


def test_single_newline_paragraphs_ending_in_sentences_stay_apart() -> None:
    article = run(f"{P1}\n{P2}\n{P3}")
    assert article.paragraphs == [P1, P2, P3]


def test_long_headline_on_its_own_line_is_not_glued_to_the_body() -> None:
    headline = "Government Confirms New Northern Valley Reservoir Will Open By End Of Next Year"
    article = run(f"{headline}\n{P1}\n{P2}")
    assert article.paragraphs == [P1, P2]
    assert article.title == headline


# --- body shape ------------------------------------------------------------------------

def test_body_has_no_empty_paragraphs_or_stray_whitespace() -> None:
    article = run("\n\n\n  " + P1 + "   \n\n\n\n\t" + P2 + "\n\n   \n")
    assert article.body == f"{P1}\n\n{P2}"


def test_document_of_only_furniture_gives_an_empty_body() -> None:
    article = run(paras("Share Facebook Twitter", "Image", "Leave a comment", "---"))
    assert article.body == ""
    assert article.paragraphs == []
    assert len(article.removed) == 4


# --- the seed articles ------------------------------------------------------------------

def _seed(name_prefix: str) -> Article:
    (path,) = SEEDS.glob(f"{name_prefix}_*.txt")
    document = read_file(path, 10_000_000)
    assert isinstance(document, RawDocument)
    return clean(document)


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    return {p.name[:3]: _seed(p.name[:3]) for p in sorted(SEEDS.glob("*.txt"))}


def test_all_seeds_are_read(seeds: dict[str, Article]) -> None:
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    for article in seeds.values():
        assert len(article.paragraphs) >= 4


@pytest.mark.parametrize("furniture", ["Facebook", "Related Articles", "Back to top",
                                       "Legal Disclaimer", "MENAFN", "author-image",
                                       "Key Takeaways", "Post a Comment", "WhatsApp",
                                       "Updated On", "\n\n\n"])
def test_seed_bodies_have_no_furniture(seeds: dict[str, Article], furniture: str) -> None:
    for key, article in seeds.items():
        assert furniture not in article.body, key


def test_seed_003_repeated_lead_appears_once(seeds: dict[str, Article]) -> None:
    body = seeds["003"].body
    assert body.count("has dismissed reports suggesting imminent recognition") == 1
    assert seeds["003"].paragraphs[0].endswith("calling the matter “speculation.”")


def test_seed_002_source_and_undated_conflict(seeds: dict[str, Article]) -> None:
    article = seeds["002"]
    assert article.outlet == "Khaama Press"
    assert article.published is None
    assert "2024-01-02" in article.date_note
    assert "2025-10-27" in article.date_note
    assert "conflicting" in article.date_note
    assert article.paragraphs[0].startswith("Pakistan urged the Taliban in Istanbul talks")


def test_seed_004_title_author_and_recap(seeds: dict[str, Article]) -> None:
    article = seeds["004"]
    headline = "Taliban-Pakistan Tensions Rise as Afghanistan Resists Islamabad's Influence"
    assert article.title == headline
    assert headline not in article.body
    assert article.author == "Geeta Pillai"
    assert "Geeta Pillai" not in article.body
    assert "•" not in article.body
    assert article.paragraphs[-1].startswith("Despite these diplomatic efforts")


def test_seed_000_title_and_tail(seeds: dict[str, Article]) -> None:
    article = seeds["000"]
    assert article.title == ("Pakistan Rejects Legitimacy of Afghan Taliban Government Amid "
                             "Border Escalation")
    assert "Global News" not in article.body
    assert article.paragraphs[-1].startswith("Kabul has not issued a formal reply")


def test_seed_001_keeps_all_four_paragraphs(seeds: dict[str, Article]) -> None:
    article = seeds["001"]
    assert len(article.paragraphs) == 4
    assert article.paragraphs[-1].endswith("between the two neighbours.")
    assert "Comments" not in article.body


def test_seed_removals_have_reasons(seeds: dict[str, Article]) -> None:
    total = 0
    for article in seeds.values():
        for removal in article.removed:
            assert removal.reason.strip(), removal
            assert removal.text.strip(), removal
            total += 1
    assert total >= 20


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600),
       st.sampled_from(["", " (AP Photo/J. Doe)", " — AFP/File", ". REUTERS/A. Name",
                        " (VT/VALLEY WATER AUTHORITY)", " Photo: Valley Times", " (ANI)",
                        " - Ends", "—APP", " (With inputs from agencies)", ".(Twitter)",
                        " officials said.", ' "We will respond!"', " Credit: Valley Times”",
                        " — Reuters", " (Photo: AFP) ", ". Photo credit: X;", " —ENDſ"]))
def test_credits_are_found_at_the_end_as_a_whole_search_finds_them(body: str, tail: str) -> None:
    """Credits and wire tails are searched in the text's last TAIL_REACH characters only:
    the same credit, and the same text before it, as a search of the whole text finds
    (only whitespace between them may be counted to either), whatever comes before."""
    from briefing.clean import PHOTO_CREDIT, WIRE_TAIL, _at_end

    for text in (body + tail, body + " " * 400 + tail):
        for pattern in (PHOTO_CREDIT, WIRE_TAIL):
            whole, near = pattern.search(text), _at_end(pattern, text)
            assert (whole is None) == (near is None)
            if whole and near:
                assert whole.group().strip() == near.group().strip()
                assert text[:whole.start()].rstrip() == text[:near.start()].rstrip()


@given(st.sets(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), max_size=26),
       st.sets(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), max_size=26))
def test_near_identical_is_the_overlap_threshold(a: set[str], b: set[str]) -> None:
    """Skipping paragraphs of very different sizes changes no answer of the overlap test."""
    from briefing.clean import NEAR_IDENTICAL, _near_any, _overlap

    assert _near_any(a, [b]) == (_overlap(a, b) >= NEAR_IDENTICAL)


# --- furniture of more outlets: promotions, notices, credits first, embedded posts ----------

@pytest.mark.parametrize("line, reason", [
    ("Get all the latest news from Bharat and beyond, with a focus on top national events and "
     "trending stories.", "share, navigation or comment prompt"),
    ("Stay up to date with the latest news from the region.", "share, navigation or comment "
     "prompt"),
    ("- Sputnik India, 1920, 22.12.2023 Subscribe", "share, navigation or comment prompt"),
    ("This is a breaking news story. Please follow for updates.", "breaking-news notice"),
    ("This story is developing; check back for updates.", "breaking-news notice"),
])
def test_outlet_lines_about_themselves_are_dropped(line: str, reason: str) -> None:
    article = run(paras(P1, line, P2))
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[line] == reason


@pytest.mark.parametrize("sentence", [
    "Officials said they would follow the talks for updates on the border's reopening.",
    "Traders must subscribe before the new customs portal opens, officials said.",
    "Traders were told to subscribe to the new customs portal.",
    "Stranded truckers were told to check back for updates, a customs official said.",
    "Many cannot afford to subscribe.",
    "Analysts get the latest figures from the central bank each Monday, officials said.",
])
def test_prose_near_those_lines_survives(sentence: str) -> None:
    article = run(paras(P1, sentence, P2))
    assert article.paragraphs == [P1, sentence, P2]


def test_a_caption_under_its_credit_is_dropped_and_so_is_its_repeat_with_a_tail() -> None:
    caption = ("Security officials guard a blocked road leading to a counter-terrorism center in "
               "Bannu, Tuesday, Dec. 20, 2022.")
    credited = "© AP Photo / Muhammad Hasib" + caption
    again = caption + " - Sputnik India, 1920, 22.12.2023"
    article = run(paras(P1, credited, again, P2))
    assert article.paragraphs == [P1, P2]
    found = reasons(article)
    assert found[credited] == "photo caption (its credit first)"
    assert found[again] == "photo caption (again)"


def test_a_lead_restating_a_caption_is_kept() -> None:
    """A paragraph that begins with a caption dropped under its credit and goes on to tell
    more ("…, officials said") is the lead, not the caption again; so is the paragraph under
    a caption that it restates."""
    caption = "Trucks wait at the Torkham crossing between Pakistan and Afghanistan"
    credited = "© AP Photo / Muhammad Hasib" + caption + "."
    lead = caption + " on Saturday after a six-day closure, officials said."
    article = run(paras(credited, lead, P1))
    assert article.paragraphs == [lead, P1]
    restated = "The Torkham crossing between Pakistan and Afghanistan has reopened to trucks."
    full = restated[:-1] + " on Saturday after a six-day closure, officials said."
    assert full in run(paras(restated, full, P1)).paragraphs


def test_a_long_lead_glued_to_a_credit_is_not_dropped_as_a_caption() -> None:
    lead = ("Pakistan and Afghanistan reopened the Torkham crossing on Saturday after a "
            "six-day closure that stranded thousands of trucks, and officials on both sides "
            "said trade would resume in full by Monday. Traders said the closure had cost "
            "them millions of rupees a day, and drivers said they had slept in their cabs "
            "for most of the week while food spoiled in the heat at the border.")
    glued = "© AP Photo / Muhammad Hasib" + lead
    article = run(paras(P1, glued, P2))
    assert reasons(article).get(glued) != "photo caption (its credit first)"
    assert any(lead[:60] in p for p in article.paragraphs)


def test_a_notice_after_the_news_is_cut_and_the_news_kept() -> None:
    news = "Pakistan closed the Torkham crossing on Sunday, officials said."
    article = run(paras(P1, news + " This is a developing story.", P2))
    assert article.paragraphs == [P1, news, P2]
    assert reasons(article)["This is a developing story."] == "breaking-news notice"


def test_an_embedded_posts_credit_and_tags_are_cut() -> None:
    post = ("We discussed the border and trade with the Afghan delegation today. "
            "— Shah Mahmood Qureshi (@SMQureshiPTI) August 16, 2021")
    tags = "#OICInPakistan #OIC4Afg pic.twitter.com/cMqZ9XkSux — OIC (@OIC_OCI) December 19, 2021"
    article = run(paras(P1, post, tags, P2))
    text = "We discussed the border and trade with the Afghan delegation today."
    assert article.paragraphs == [P1, text, P2]
    assert "embedded post's credit" in set(reasons(article).values())


@given(st.lists(st.sampled_from(["Share", "Facebook", "Twitter", "3", "min", "read", "Short",
                                 "Url", "https://t.co/x1", "www.example.com", "Pakistan",
                                 "ShareFacebook", "talks", "|", "-", "2025", "Home", "News"]),
                max_size=12))
def test_page_words_only_is_the_whole_line_test(tokens: list[str]) -> None:
    """The lazy scan gives the answer of looking at every word of the line."""
    from briefing.clean import URL, WORD, _page_word, _page_words_only

    line = " ".join(tokens)
    named = [w for w in WORD.findall(URL.sub(" ", line)) if not w.isdigit()]
    assert _page_words_only(line) == (bool(named) and all(_page_word(w) for w in named))


# --- the fast paths of cleaning answer as the searches they stand in for -------------------

def _pieces(*pieces: str, most: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=most).map("".join)


_PUNCTUATED = _pieces(*"ab A.!?…\"'”’»)]\n ([“", "Mr", "U.S", most=80)


@given(_PUNCTUATED)
def test_ends_sentence_reads_the_end_as_the_search_does(text: str) -> None:
    from briefing.clean import SENTENCE_END, _ends_sentence

    assert _ends_sentence(text) == bool(SENTENCE_END.search(text))


@given(_PUNCTUATED)
def test_last_sentence_is_where_the_last_break_ends(text: str) -> None:
    from briefing.clean import SENTENCE_BREAK, _last_sentence

    breaks = list(SENTENCE_BREAK.finditer(text))
    assert _last_sentence(text) == (breaks[-1].end() if breaks else 0)


@given(_pieces("Photo", "image", "PICTURES", " by ", " courtesy of ",
                                         "AFP", ".", "(", " ", "x", "ſ", "İ", "ı", "mage", most=30))
def test_credit_by_is_the_whole_search(text: str) -> None:
    from briefing.clean import CREDIT_BY, _credit_by

    whole, fast = CREDIT_BY.search(text), _credit_by(text)
    assert (whole is None) == (fast is None)
    if whole and fast:
        assert whole.span() == fast.span()


@given(_pieces("word", " ", ".", "…", "..", "\t", "x", most=40))
def test_a_teaser_ends_with_an_ellipsis(text: str) -> None:
    """A teaser's ellipsis is found just where the text ends with one."""
    from briefing.clean import TEASER_END

    stripped = text.rstrip()
    assert bool(TEASER_END.search(text)) == (stripped.endswith("...") or stripped.endswith("…"))


@given(_pieces("Updated ", "on ", "Monday, ", "date ", "2024-03-18",
                                         "March 18, 2024", "18 March 2024", "May", "The ",
                                         " ", "x", "12:30 ", "Pakistan said.", most=12))
def test_a_leading_stamp_starts_with_a_digit_or_a_month(text: str) -> None:
    """leading_stamp looks for dates only where one could begin after its cue, and finds
    what a search of the paragraph's opening finds there."""
    from briefing import dates

    cue = dates._LEAD_CUE.match(text)
    assert cue is not None
    found = dates.find_dates(text[:120])
    starts_there = bool(found) and found[0][1].start() == cue.end()
    if not dates._DATE_START.match(text, cue.end()):
        assert not starts_there
        assert dates.leading_stamp(text) is None


@given(_pieces("a", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\r", "b c", most=40))
def test_normalize_makes_each_run_of_spaces_one_space(text: str) -> None:
    import re

    from briefing.clean import _SPACES

    assert _SPACES.sub(" ", text) == re.sub(r"[^\S\n]+", " ", text)


@given(_PUNCTUATED, st.integers(min_value=0, max_value=6))
def test_first_break_is_the_first_match_of_a_short_enough_sentence(text: str, words: int
                                                                    ) -> None:
    from briefing.clean import SENTENCE_BREAK, _first_break

    first = SENTENCE_BREAK.search(text)
    short = first is not None and len(text[:first.start() + 1].split()) <= words
    found = _first_break(text, words)
    assert (found.span() if found else None) == (first.span() if short and first else None)


@given(st.sets(st.sampled_from("abcdefghij"), max_size=10),
       st.lists(st.sets(st.sampled_from("abcdefghij"), max_size=10), max_size=5))
def test_near_any_is_any_near_identical(tokens: set[str], recent: list[set[str]]) -> None:
    from briefing.clean import NEAR_IDENTICAL, _near_any, _overlap

    assert _near_any(tokens, recent) == any(_overlap(tokens, o) >= NEAR_IDENTICAL
                                            for o in recent)


@given(_pieces("This is a developing story", "Please ", "check back for updates", ".",
               " ", "Stay tuned for updates", "Refresh for the latest updates", "Follow",
               " us", " for more updates", "The", " story", "ſ", "İ", "!", most=6))
def test_a_notice_opens_with_one_of_its_words(text: str) -> None:
    """_developing looks no further into a line in ASCII that opens with another word."""
    from briefing.clean import DEVELOPING, SENTENCE_BREAK, _developing

    parts = [p for p in SENTENCE_BREAK.split(text.strip()) if p.strip()]
    assert _developing(text) == (bool(parts)
                                 and all(DEVELOPING.fullmatch(p.strip()) for p in parts))
