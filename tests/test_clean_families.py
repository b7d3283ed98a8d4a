"""Cleaning by families of page furniture, each with variants no rule names, and the prose
beside them that must survive. Every example here is made up."""

from __future__ import annotations

from datetime import date

import pytest

from briefing import dates
from briefing.clean import PAGE_WORDS, clean
from briefing.models import Article, RawDocument
from tests.test_clean import P1, P2, P3

TITLE = "Reservoir Work Falls Behind Schedule"


def run(*parts: str, meta_title: str | None = None, meta_outlet: str | None = None) -> Article:
    return clean(RawDocument(id="doc", path="doc.txt", text="\n\n".join(parts), encoding="utf-8",
                             meta_title=meta_title, meta_outlet=meta_outlet))


def reasons(article: Article) -> dict[str, str]:
    return {r.text: r.reason for r in article.removed}


def assert_verbatim(article: Article, *parts: str) -> None:
    page = "\n\n".join(parts)
    for paragraph in article.paragraphs:
        assert paragraph in page


# --- short navigation, UI and app lines ------------------------------------------------

@pytest.mark.parametrize("line", [
    "Short Url", "Short URL https://example.org/r/x7", "Follow", "Watch Video", "Open in App",
    "Download on the App Store", "Get it on Google Play", "3 min read", "12 minutes Reading",
    "Opinion", "Recent Features", "Turn on notifications",
    "Sign up to get the day's headlines delivered to your inbox",
    "Your email address will not be published.", "Also Read | Farmers protest water cuts",
    "Please enter your comment!", "Please enter your name here",
    "You may follow him at Twitter @valleyreporter",
    "If you would like to share a story idea, please submit it here.",
])
def test_navigation_and_app_lines_are_dropped(line: str) -> None:
    article = run(P1, line, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[line] == "share, navigation or comment prompt"


def test_an_app_prompt_above_the_headline_is_not_the_title() -> None:
    article = run("Valley.news", "Download on the App Store", TITLE, P1)
    assert article.title == TITLE
    assert article.paragraphs == [P1]


def test_read_more_between_paragraphs_does_not_end_the_article() -> None:
    article = run(P1, "READ MORE", "Dam Inspectors Warn Of Cracks In Older Walls", P2)
    assert article.paragraphs == [P1, P2]


# --- time and update stamps ------------------------------------------------------------------

@pytest.mark.parametrize(("line", "day"), [
    ("Updated 12 November 2025", date(2025, 11, 12)),
    ("Last Updated: Nov 12, 2025 | 10:30 AM IST", date(2025, 11, 12)),
    ("Follow on Updated On: Tue, 11 Nov 2025 09:15:00 PKT", date(2025, 11, 11)),
    ("4 min read Last Updated : Nov 12 2025 | 10:30 AM IST", date(2025, 11, 12)),
    ("Published By: Sara Malik Published On: Nov 12, 2025 10:30 IST", date(2025, 11, 12)),
    ("TODAY'S PAPER | November 12, 2025 | EPAPER", date(2025, 11, 12)),
])
def test_stamp_lines_are_dropped_and_date_the_article(line: str, day: date) -> None:
    article = run(TITLE, line, P1, P2)
    assert article.paragraphs == [P1, P2]
    assert article.published == day
    assert reasons(article)[line] == "date stamp"


@pytest.mark.parametrize(("stamp", "day"), [
    ("date 2024-03-18 ", date(2024, 3, 18)),
    ("2024-03-18 ", date(2024, 3, 18)),
    ("Updated: Mon, 18 Mar 2024 09:10 PKT ", date(2024, 3, 18)),
    ("Published 18 March 2024 | ", date(2024, 3, 18)),
])
def test_stamp_glued_to_the_lead_is_cut_off(stamp: str, day: date) -> None:
    article = run(stamp + P1, P2)
    assert article.paragraphs == [P1, P2]
    assert article.published == day
    assert reasons(article)[stamp.strip()] == "date stamp"


@pytest.mark.parametrize("sentence", [
    "March 18, 2024 marked the start of the talks, officials said.",
    "Published on March 3, 2025, the report warned that trade would fall.",
    "Updated figures released on Monday showed a sharp decline in trade.",
    "Talks were held in Peshawar on March 18, 2024, officials said.",
])
def test_prose_that_opens_with_or_mentions_a_date_is_kept_whole(sentence: str) -> None:
    article = run(P1, sentence, P2)
    assert article.paragraphs == [P1, sentence, P2]


def test_leading_stamp_reads_the_date_and_where_the_prose_starts() -> None:
    text = "date 2024-03-18 Pakistan said talks would resume."
    found = dates.leading_stamp(text)
    assert found is not None
    candidate, start = found
    assert candidate.value == date(2024, 3, 18)
    assert candidate.kind == "date line"
    assert text[start:] == "Pakistan said talks would resume."
    assert dates.leading_stamp("October 12, 2025 marked the day.") is None
    assert dates.leading_stamp("date 2024-03-18") is None


def test_date_stamp_allows_page_words_only_when_asked() -> None:
    line = "TODAY'S PAPER | November 12, 2025 | EPAPER"
    assert dates.date_stamp(line) is None
    stamp = dates.date_stamp(line, PAGE_WORDS)
    assert stamp is not None and stamp.value == date(2025, 11, 12)
    assert dates.date_stamp("Clashes on 12 November 2025", PAGE_WORDS) is None


# --- datelines and wire credits on the lead -----------------------------------------------------

@pytest.mark.parametrize(("front", "outlet"), [
    ("Kabul/Islamabad, Oct 12 (UNI) ", "UNI"),
    ("ISLAMABAD, Oct 12 (Reuters) - ", "Reuters"),
    ("KABUL (AP) — ", "AP"),
    ("QUETTA, Monday, Oct 13, 2025 (VNA): ", "VNA"),
    ("HERAT -VNA: ", "VNA"),
    ("NEW DELHI, March 18 – ", None),
    ("PESHAWAR/KABUL — ", None),
    ("Kabul, Jan 6: ", None),
    ("Peshawar: ", None),
    ("Lahore (Pakistan):", None),
    ("KARACHI (Staff Report) – ", None),
])
def test_dateline_is_trimmed_off_the_lead(front: str, outlet: str | None) -> None:
    article = run(front + P1, P2)
    assert article.paragraphs == [P1, P2]
    assert article.outlet == outlet
    assert reasons(article)[front.strip()] in ("dateline", "wire credit")


def test_a_speaker_further_down_is_not_a_dateline() -> None:
    answer = "Khan: We will never accept a fence on our land, he told supporters."
    article = run(P1, answer, P2)
    assert article.paragraphs == [P1, answer, P2]


@pytest.mark.parametrize("lead", [
    "Valley Water Authority (VWA) Chairman Imran Ali said the reservoir would open next year.",
    "NATO officials said on Monday that the convoy had crossed the border safely.",
])
def test_a_name_with_an_acronym_is_not_a_wire_credit(lead: str) -> None:
    article = run(lead, P2)
    assert article.paragraphs == [lead, P2]
    assert article.outlet is None


def test_page_label_glued_to_the_paragraphs_is_cut_off() -> None:
    article = run("Article content " + P1, "Article content " + P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["Article content"] == "page label"


def test_a_label_word_opening_prose_is_kept() -> None:
    sentence = "Advertisement spending by the ministry rose sharply last year, auditors said."
    article = run(P1, sentence)
    assert article.paragraphs == [P1, sentence]


# --- advertisements and players ---------------------------------------------------------------

@pytest.mark.parametrize("notice", [
    "This advertisement has not loaded yet, but your article continues below.",
    "We're sorry, this video could not be played.",
    "Story continues below advertisement",
    "Scroll to continue with content",
    "This is read by an automated voice. Please report any issues or inconsistencies here.",
])
def test_ad_and_player_notices_are_dropped(notice: str) -> None:
    article = run(P1, notice, P2)
    assert article.paragraphs == [P1, P2]


def test_player_notice_glued_to_a_paragraph_is_cut_off_either_end() -> None:
    notice = "We apologize, but this video has failed to load."
    article = run(f"{P1} {notice}", f"{notice} {P2}")
    assert article.paragraphs == [P1, P2]
    assert notice in reasons(article)


def test_news_about_a_video_is_kept() -> None:
    sentence = "The video could not be verified independently, officials said."
    article = run(P1, sentence)
    assert article.paragraphs == [P1, sentence]


# --- photo captions and credits --------------------------------------------------------------

@pytest.mark.parametrize("caption", [
    "Workers pour concrete at the dam site on Monday. (AP Photo/J. Doe)",
    "A view of the reservoir from the northern ridge. (VT Photo)",
    "The dam wall seen from the valley floor. (Photo: Valley Times)",
    "Engineers inspect the spillway. — AFP/File",
    "An aerial view of the reservoir site.(Twitter)",
    "Officials said the reservoir will hold water for two seasons. PHOTO: VALLEY TIMES",
    "Workers pour concrete at the dam site on Sunday.—APP",
    "File photo of the reservoir site near the northern valley.",
    "Photo: Engineers at the dam site during an inspection.",
    "A farmer shows the cracked wall of his field near the dam, May 6, 2025. VT/J. Doe",
    "Engineers walk along the spillway in this handout picture. (VT/VALLEY WATER AUTHORITY)",
    "Disputes over the dam have divided the valley for decades. / VT Archive",
    "Men sit near a queue of trucks after the authorities have closed the crossing in "
    "Northgate, Valleyland February 21, 2023. — Reuters",
])
def test_short_paragraph_that_is_a_caption_is_dropped(caption: str) -> None:
    article = run(P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] in ("photo caption", "image placeholder or photo credit")


def test_a_sentence_dated_in_prose_with_a_wire_credit_keeps_its_sentence() -> None:
    lead = "The authorities have closed the crossing at Northgate since February 21, 2023."
    article = run(P1, lead + " — Reuters", P2)
    assert article.paragraphs == [P1, lead, P2]


def test_an_authors_note_is_dropped() -> None:
    note = ("Jane Doe is the editor and content writer for Valley Times. You may follow her "
            "at Twitter @janedoe")
    article = run(P1, P2, note)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[note] == "author's note"


def test_caption_above_a_credit_line_is_dropped_with_it() -> None:
    caption = "Engineers walk along the dam wall in the valley, Tuesday, May 6, 2025."
    article = run(P1, caption, "Credit: AP Photo/J. Doe", P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption (above its credit)"


def test_caption_glued_to_the_end_of_the_lead_is_cut_off() -> None:
    caption = "Engineers at the northern valley dam site during an inspection visit."
    article = run(f"{P1} {P2} {caption} (VT Photo)", P3)
    assert article.paragraphs == [f"{P1} {P2}", P3]
    assert reasons(article)[f"{caption} (VT Photo)"] == "photo caption"


def test_caption_line_is_not_glued_to_the_line_under_it() -> None:
    caption = ("Farmers wait beside trucks loaded with their harvest as the crossing stays shut "
               "near the northern valley, Monday, May 5, 2025. (AP Photo/J. Doe)")
    article = run(f"{TITLE}\n{caption}\n{P1}", P2)
    assert article.paragraphs == [P1, P2]


def test_a_copyright_mark_glued_to_a_caption_goes_with_it() -> None:
    line = ("© Valley Times. A farmer shows the cracked wall of his field near the dam, "
            "May 6, 2025. VALLEY TIMES/J. Doe")
    article = run(P1, line, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["© Valley Times."] == "page label"


@pytest.mark.parametrize("sentence", [
    "He told the reporters the BBC/Urdu Service had the letter.",
    "Officials of the US/NATO mission left the valley in 2021.",
])
def test_prose_with_capitals_and_slashes_is_kept(sentence: str) -> None:
    article = run(P1, sentence, P2)
    assert article.paragraphs == [P1, sentence, P2]


@pytest.mark.parametrize("sentence", [
    "A photo released by the ministry showed workers at the dam site.",
    "Officials said the photo was taken on Monday.",
    "Officials released a single image: a convoy crossing the valley at night.",
    "The ministry shared a file photo of the site on social media.",
    "Photo evidence submitted to the court was rejected by the judge.",
])
def test_prose_mentioning_photos_is_kept(sentence: str) -> None:
    article = run(P1, sentence, P2)
    assert article.paragraphs == [P1, sentence, P2]


# --- wire tails and editorial notes ------------------------------------------------------------

@pytest.mark.parametrize("tail", ["(ANI)", "(end)", "- Ends", "— Agencies", "—APP",
                                  "(With inputs from agencies)"])
def test_wire_tail_is_cut_off_the_paragraph(tail: str) -> None:
    article = run(P1, f"{P2} {tail}")
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[tail] == "wire credit"


def test_wire_tail_on_its_own_line_is_dropped() -> None:
    article = run(P1, P2, "(end)")
    assert article.paragraphs == [P1, P2]
    assert reasons(article)["(end)"] == "wire credit"


def test_a_short_news_sentence_keeps_its_prose_when_its_credit_goes() -> None:
    article = run(P1, "Pakistan reopened the crossing on Monday. (APP)")
    assert article.paragraphs == [P1, "Pakistan reopened the crossing on Monday."]


@pytest.mark.parametrize("note", [
    "(This story has not been edited by Valley Times staff and is auto-generated from a "
    "syndicated feed.)",
    "This article was added by a user. Valley Times is not responsible for the content of "
    "the platform.",
    "Only the headline has been changed.",
    "This news is sourced from [Valley Press Agency] and is for informational purposes only.",
])
def test_editorial_notes_are_dropped(note: str) -> None:
    article = run(P1, P2, note)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[note] == "editorial note"


def test_editorial_note_after_the_last_sentence_is_cut_off() -> None:
    note = "(This story has not been edited by our staff and is auto-generated from a wire feed.)"
    article = run(P1, f"{P2} {note}")
    assert article.paragraphs == [P1, P2]


def test_news_about_responsibility_for_content_is_kept() -> None:
    sentence = ("The minister said the ministry was not responsible for the content of the "
                "leaked video.")
    article = run(P1, sentence)
    assert article.paragraphs == [P1, sentence]


# --- other languages -----------------------------------------------------------------------

def test_a_line_in_another_language_is_dropped() -> None:
    line = "Yorumlar onaylandıktan sonra yayınlanır ve küfür içeren mesajlar silinir."
    article = run(P1, line)
    assert article.paragraphs == [P1]
    assert reasons(article)[line] == "not in the article's language"


def test_terse_english_without_function_words_is_kept() -> None:
    article = run(P1, "Trade volumes fell 43 percent year-on-year.")
    assert article.paragraphs == [P1, "Trade volumes fell 43 percent year-on-year."]


# --- headlines and standfirsts ------------------------------------------------------------------

@pytest.mark.parametrize("repeat", [f"{TITLE} | Valley Times", f"{TITLE} - Valley Times",
                                    f"Water {TITLE}", f"{TITLE.upper()}!"])
def test_headline_with_outlet_or_section_is_never_prose(repeat: str) -> None:
    article = run(TITLE, P1, repeat, P2, meta_outlet="Valley Times")
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[repeat] == "repeated headline"


def test_breadcrumbs_are_not_part_of_the_title() -> None:
    article = run(f"Home / Water News / {TITLE}", P1)
    assert article.title == TITLE


def test_headline_standfirst_and_byline_on_single_lines_stay_apart() -> None:
    headline = "Reservoir work in the northern valley falls behind schedule, says ministry"
    page = "\n".join([headline, "Engineers blame spring rains for the delay", "By Jane Doe",
                      f"LAHORE (VT) - {P1}"])
    article = run(page, P2)
    assert article.title == headline
    assert article.author == "Jane Doe"
    assert article.outlet == "VT"
    assert article.paragraphs == [P1, P2]


def test_standfirst_without_its_period_is_kept() -> None:
    standfirst = "The reservoir has been closed to visitors for more than two weeks"
    article = run(TITLE, standfirst, P1, P2)
    assert article.paragraphs == [standfirst, P1, P2]


def test_unfinished_line_further_down_is_not_a_standfirst() -> None:
    cut_short = "In any case, the council said, the ministry has a long record of delays on the"
    article = run(TITLE, P1, P2, P3, cut_short)
    assert article.paragraphs == [P1, P2, P3]


# --- a whole page ------------------------------------------------------------------------------

def test_a_page_of_every_family_keeps_only_the_prose_verbatim() -> None:
    page = [
        "date 2025-11-12 Valley.news", "Open in App", TITLE,
        "Workers pour concrete at the dam site on Monday. (AP Photo/J. Doe)",
        "Short Url", "Updated 12 November 2025", "By Jane Doe",
        "Article content KARACHI, Nov 12 (VNA) – " + P1,
        "Read also: Dam inspectors warn of cracks", P2 + " (ANI)",
        "This advertisement has not loaded yet, but your article continues below.",
        P3 + " - Ends",
        "(This story has not been edited by Valley Times staff and is auto-generated from a "
        "syndicated feed.)",
    ]
    article = run(*page)
    assert article.paragraphs == [P1, P2, P3]
    assert article.title == TITLE
    assert article.author == "Jane Doe"
    assert article.outlet == "VNA"
    assert article.published == date(2025, 11, 12)
    assert_verbatim(article, *page)


# --- teasers and captions given twice ------------------------------------------------------

def test_a_teaser_cut_short_is_dropped_when_the_paragraph_follows_in_full() -> None:
    teaser = "Lakeside, May 3 : The reservoir board said on Monday that work on the ..."
    full = ("Lakeside, May 3 : The reservoir board said on Monday that work on the northern "
            "wall would finish a year late because of the floods.")
    article = run(teaser, "Open in App", full, P2)
    assert teaser not in article.paragraphs
    assert reasons(article)[teaser] == "teaser (the paragraph follows in full)"
    assert len(article.paragraphs) == 2
    assert_verbatim(article, teaser, full, P2)


def test_prose_ending_with_an_ellipsis_is_kept_when_nothing_completes_it() -> None:
    trailing = "The engineer listed the causes: rain, late steel, a strike at the quarry …"
    article = run(P1, trailing, P2)
    assert article.paragraphs == [P1, trailing, P2]


def test_a_caption_repeated_with_its_credit_is_dropped_both_times() -> None:
    caption = "The chief engineer is inspecting the northern wall of the reservoir."
    article = run(P1, caption, f"{caption} (AP Archive)", P2)
    assert article.paragraphs == [P1, P2]


def test_a_caption_above_a_name_slash_and_agency_credit_is_dropped_and_again_below() -> None:
    caption = "Farmers queue at the water office in Northgate, Valleyland."
    article = run(TITLE, f"{caption}\nJane Doe\n/\nVT/Getty Images\n{caption}", P1, P2)
    assert article.paragraphs == [P1, P2]
    assert [r.reason for r in article.removed if r.text == caption] == [
        "photo caption (above its credit)", "photo caption (again)"]


def test_an_agency_caption_with_background_is_all_caption() -> None:
    caption = ("Workers clear mud from a canal near the dam in northern Valleyland Saturday, "
               "May 10, 2025. Heavy rains in the valley flooded three villages on Friday, "
               "officials said. (AP Photo/J. Doe)")
    article = run(P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption"


def test_a_long_paragraph_that_ends_with_a_credit_keeps_its_prose() -> None:
    prose = (f"{P1} The council met on Friday, May 9, 2025. {P2} {P3}")
    article = run(prose + " (AP Photo/J. Doe)", P1.replace("new", "second"))
    assert article.paragraphs[0] == prose


@pytest.mark.parametrize("caption", [
    "Water Minister Jane Doe (Right) at a meeting with the valley's farmers in Northgate.",
    "Engineers (L) and inspectors at the northern spillway of the dam.",
    "The chief engineer (2nd R) with her team at the reservoir site.",
])
def test_a_caption_that_places_people_in_the_picture_is_dropped(caption: str) -> None:
    article = run(P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption"


def test_a_news_sentence_with_a_parenthesis_is_kept() -> None:
    sentence = "The minister (left) said the dam would open in May, officials said."
    article = run(P1, sentence, P2)
    assert article.paragraphs == [P1, sentence, P2]


def test_a_caption_the_next_paragraph_restates_is_dropped() -> None:
    caption = "Farmers gather beside a flooded field near the dam."
    restated = ("Farmers gather beside a field flooded by the dam's overflow near Northgate, "
                "a town in the northern valley, officials said on Monday.")
    article = run(P1, caption, restated, P2)
    assert article.paragraphs == [P1, restated, P2]
    assert reasons(article)[caption] == "photo caption (the text below restates it)"


def test_a_short_sentence_the_next_paragraph_does_not_restate_is_kept() -> None:
    short = "Farmers gather beside the dam every spring."
    article = run(P1, short, "Farmers gather water from the canal in summer, officials said.")
    assert short in article.paragraphs


@pytest.mark.parametrize("prompt", [
    "Follow Valley Times' official Instagram and Twitter pages to keep current on world news.",
    "Stay Connected, Stay Informed - Follow Valley Times on WhatsApp for Real-time Updates!",
    "Join Valley Times on Telegram for the latest updates from the northern valley.",
])
def test_an_outlets_invitation_to_follow_it_is_dropped(prompt: str) -> None:
    article = run(P1, P2, prompt)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[prompt] == "share, navigation or comment prompt"


def test_news_about_following_on_social_media_is_kept() -> None:
    sentence = ("The ministry said farmers could follow the dam's water levels on a new "
                "website, and that a WhatsApp line would take complaints.")
    article = run(P1, sentence, P2)
    assert sentence in article.paragraphs


@pytest.mark.parametrize("caption", [
    "Water Minister Jane Doe at the northern spillway on Monday. — Jane Doe X",
    "The chief engineer, head of the dam project. — Twitter/@ValleyWater",
    "If the valley's farmers are paid, the canal will be finished, said the minister. VNA",
])
def test_a_caption_printed_twice_with_its_credit_is_dropped_both_times(caption: str) -> None:
    article = run(TITLE, caption, caption, P1, P2)
    assert article.paragraphs == [P1, P2]
    assert [r.reason for r in article.removed if r.text == caption][:1] == [
        "photo caption (printed twice, with its credit)"]


def test_a_paragraph_printed_twice_keeps_one_copy() -> None:
    said = "The dam will open in May, the minister said."
    article = run(TITLE, P1, said, said, P2)
    assert article.paragraphs == [P1, said, P2]


def test_an_agency_caption_dated_with_a_dash_and_background_is_all_caption() -> None:
    caption = ("Workers clear mud from a canal near the dam in Northgate, a town in the valley, "
               "on January 27, 2019. - Farmers hoped on January 27 that the new canal could "
               "end years of drought, despite fears that")
    article = run(TITLE, caption, P1, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption].startswith("photo caption")


def test_a_sentence_that_ends_on_a_date_and_goes_on_after_a_dash_is_kept() -> None:
    prose = "The council voted on January 27, 2019 - and again in May - to build the dam."
    article = run(TITLE, P1, prose, P2)
    assert prose in article.paragraphs


def test_a_breadcrumb_glued_to_the_headline_is_left_out_of_the_title() -> None:
    article = run("HomeWorldReservoir Work Falls Behind Schedule", TITLE, P1, P2)
    assert article.title == TITLE
    assert article.paragraphs == [P1, P2]


@pytest.mark.parametrize("heading", ["BE PART OF THE CONVERSATION", "Join the discussion"])
def test_a_comment_section_ends_the_article(heading: str) -> None:
    rules = "Valley Times is committed to providing a forum for civil conversation."
    article = run(TITLE, P1, P2, heading, rules)
    assert article.paragraphs == [P1, P2]


def test_bulleted_highlights_under_the_headline_are_not_a_standfirst() -> None:
    article = run(TITLE, "• Minister says the canal would be finished by May after the rains",
                  P1, P2)
    assert article.paragraphs == [P1, P2]


@pytest.mark.parametrize("line", ["Lost your password?", "Forgot your password?", "Remember Me"])
def test_a_login_forms_lines_are_dropped(line: str) -> None:
    article = run(TITLE, P1, line, P2)
    assert article.paragraphs == [P1, P2]


def test_news_of_a_password_leak_is_kept() -> None:
    news = "Officials said the hackers had stolen the password of the dam's control system."
    article = run(TITLE, P1, news, P2)
    assert news in article.paragraphs


@pytest.mark.parametrize("caption", [
    "Farmers gather beside the new canal near the northern valley on May 4, 2026 amid a dry "
    "spring. Photo by AFP via Getty Images.",
    "Engineers inspect the dam wall at dawn. — Image courtesy of the water ministry",
])
def test_a_caption_with_a_credit_that_names_its_photographer_is_dropped(caption: str) -> None:
    article = run(TITLE, P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption"


def test_a_photographers_credit_on_its_own_line_is_dropped() -> None:
    article = run(TITLE, P1, "Photo by Sana Ahmed via Getty Images.", P2)
    assert article.paragraphs == [P1, P2]


def test_a_paragraph_keeps_its_prose_when_it_mentions_a_photo_by_someone() -> None:
    prose = "The ministry published a photo by a local farmer showing the dry canal bed."
    article = run(TITLE, P1, prose, P2)
    assert prose in article.paragraphs


@pytest.mark.parametrize("name", ["Moeed", "Javed", "Hameed", "Saeed"])
def test_a_caption_with_positions_and_a_name_ending_in_ed_is_dropped(name: str) -> None:
    caption = (f"Water Minister {name} Khan (left) meets the valley's chief engineer, Sara "
               "Malik (right), at the dam, on January 29, 2026.")
    article = run(TITLE, P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption"


def test_a_sentence_that_says_who_left_is_not_a_caption() -> None:
    prose = "The engineer (left) of the two inspected the wall and warned of cracks."
    article = run(TITLE, P1, prose, P2)
    assert prose in article.paragraphs


def test_an_agency_caption_dated_with_on_and_the_year_is_dropped_with_its_credit() -> None:
    caption = ("Engineers, farmers and district officials attend a ceremony to open the new "
               "canal gate of an irrigation project in the upper Swat valley on July 24, 2024. "
               "Work on the canal, which is to water some forty thousand acres, resumed after "
               "an eight-year delay caused by floods and a dispute over land. "
               "(Photo by Sana Ahmed / AFP)")
    article = run(TITLE, P1, caption, P2)
    assert article.paragraphs == [P1, P2]
    assert reasons(article)[caption] == "photo caption"


def test_prose_that_dates_a_day_with_the_year_keeps_it_without_a_credit() -> None:
    prose = ("Engineers, farmers and district officials attended a ceremony to open the new "
             "canal gate of an irrigation project in the upper Swat valley on July 24, 2024. "
             "Work on the canal, which is to water some forty thousand acres, resumed after "
             "an eight-year delay caused by floods and a dispute over land.")
    article = run(TITLE, P1, prose, P2)
    assert prose in article.paragraphs
