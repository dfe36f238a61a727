"""The words an answer is dressed in, in each language the bot answers in.

The knowledge base holds each entry's own text in English and Hindi (`Entry.hi`); this module
holds the rest of an answer: verdict headlines, section headings, the disclaimer, "did you
mean", "I don't know". Plain data, no Telegram: the chat, the terminal and the playground
all read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.knowledge import Entry, Service, ServiceLine

ENGLISH = "en"
HINDI = "hi"


@dataclass(frozen=True)
class Wording:
    verdicts: Mapping[str, str]  # verdict -> headline label, symbol first
    depends_on_service: str
    kinds: Mapping[str, str]  # headline label of entries without a verdict
    instead: str
    why: str
    example: str
    source: str
    differs: str
    everyone_else: str
    in_brief: str
    for_service: str  # "For {title}"
    disclaimer: str
    no_match: str
    vague: str
    did_you_mean: str
    untranslated: str  # shown above an entry that has no text in this language yet
    covers: str  # "I answer questions about ...: {concerns}."
    nearest: str  # above the nearest topics offered with "I don't know"
    for_example: str
    stop: str  # the full stop: "." in English, "।" (purna viram) in Hindi


_SYMBOLS = {
    "allowed": "✅",
    "allowed with care": "⚠️",
    "only with permission": "📝",
    "not allowed": "⛔",
    "depends": "❔",
}

WORDINGS: Mapping[str, Wording] = {
    ENGLISH: Wording(
        verdicts={
            "allowed": "✅ Allowed",
            "allowed with care": "⚠️ Allowed, with care",
            "only with permission": "📝 Only with permission",
            "not allowed": "⛔ Not allowed",
            "depends": "❔ It depends",
        },
        depends_on_service="❔ Depends on your service",
        kinds={
            "concern": "Ethical concern",
            "guideline": "Guideline",
            "overview": "Overview",
            "rule": "\U0001f4d6 The rule",  # a rule asked about, not "may I?": no verdict
            "info": "\u2139\ufe0f Good to know",  # the information-source symbol
        },
        instead="What to do instead",
        why="Why it matters",
        example="Example",
        source="Source",
        differs="How it differs",
        everyone_else="Everyone else",
        in_brief="In brief",
        for_service="For {title}",
        disclaimer="Guidance, not legal advice: your service's rules and orders prevail.",
        no_match="I don't know the answer to that one, and I would rather say so than guess.",
        vague=(
            "What would you like to post or do? Tell me a little more, for example "
            "\u201ca reel in uniform\u201d, \u201ca photo with the official car\u201d or "
            "\u201cnews of my transfer\u201d, and I'll give you the rule."
        ),
        did_you_mean="I'm not sure which rule you mean. Did you mean one of these?",
        untranslated="",
        covers="I answer questions about public servants' conduct on social media: {concerns}.",
        nearest="The nearest topics I know:",
        for_example="For example:",
        stop=".",
    ),
    HINDI: Wording(
        verdicts={
            "allowed": "✅ अनुमति है",
            "allowed with care": "⚠️ अनुमति है, सावधानी से",
            "only with permission": "📝 केवल पूर्व अनुमति से",
            "not allowed": "⛔ अनुमति नहीं है",
            "depends": "❔ स्थिति पर निर्भर",
        },
        depends_on_service="❔ आपकी सेवा पर निर्भर",
        kinds={
            "concern": "नैतिक चिंता",
            "guideline": "दिशानिर्देश",
            "overview": "सारांश",
            "rule": "\U0001f4d6 नियम",
            "info": "\u2139\ufe0f जानकारी",
        },
        instead="इसके बजाय क्या करें",
        why="यह क्यों ज़रूरी है",
        example="उदाहरण",
        source="स्रोत",
        differs="सेवा के अनुसार अंतर",
        everyone_else="बाकी सभी",
        in_brief="संक्षेप में",
        for_service="{title} के लिए",
        disclaimer="यह मार्गदर्शन है, कानूनी सलाह नहीं: आपकी सेवा के नियम और आदेश ही मान्य हैं।",
        no_match="इस सवाल का जवाब मुझे नहीं पता, और मैं अंदाज़ा लगाने के बजाय यह साफ़ बताना बेहतर समझता हूँ।",
        vague=(
            "आप क्या पोस्ट करना या करना चाहते हैं? थोड़ा और बताइए, जैसे "
            "\u201cवर्दी में रील\u201d, \u201cसरकारी गाड़ी के साथ फोटो\u201d या "
            "\u201cअपने तबादले की खबर\u201d, तो मैं नियम बता दूँगा।"
        ),
        did_you_mean="मुझे पक्का नहीं कि आप किस नियम की बात कर रहे हैं। क्या आपका मतलब इनमें से कोई है?",
        untranslated="इस विषय का हिंदी पाठ अभी तैयार नहीं है; जवाब नीचे अंग्रेज़ी में है।",
        covers="मैं लोक सेवकों के सोशल मीडिया आचरण से जुड़े सवालों के जवाब देता हूँ: {concerns}।",
        nearest="मेरे पास इनसे मिलते-जुलते विषय हैं:",
        for_example="उदाहरण के लिए:",
        stop="।",
    ),
}
LANGUAGES = tuple(WORDINGS)


def wording(language: str | None) -> Wording:
    return WORDINGS.get(language or ENGLISH, WORDINGS[ENGLISH])


def symbol(verdict: str | None) -> str | None:
    return _SYMBOLS.get(verdict or "")


@dataclass(frozen=True)
class EntryText:
    """An entry's words in one language (English where the entry has no Hindi yet)."""

    title: str
    answer: str
    why: str | None
    examples: tuple[str, ...]
    do_instead: tuple[str, ...]
    sources: tuple[str, ...]
    translated: bool = True  # False: the Hindi was asked for but is missing


def entry_text(entry: Entry, language: str | None) -> EntryText:
    english = EntryText(
        entry.title, entry.answer, entry.why, entry.examples, entry.do_instead, entry.sources
    )
    if language != HINDI:
        return english
    hindi = entry.hi
    if hindi is None or hindi.title is None or hindi.answer is None:
        return EntryText(**{**english.__dict__, "translated": False})
    return EntryText(
        title=hindi.title,
        answer=hindi.answer,
        why=hindi.why or entry.why,
        examples=hindi.examples or entry.examples,
        do_instead=hindi.do_instead or entry.do_instead,
        sources=hindi.sources or entry.sources,
    )


def service_title(service: Service, language: str | None) -> str:
    return (service.title_hi if language == HINDI else None) or service.title


def service_note(note: str | None, note_hi: str | None, language: str | None) -> str | None:
    return (note_hi if language == HINDI else None) or note


def line_note(line: ServiceLine, language: str | None) -> str:
    return service_note(line.note, line.note_hi, language) or line.note
