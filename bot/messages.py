"""The bot's own texts in Telegram HTML, in English and in Hindi.

An officer who writes in Hindi reads every message of the bot in Hindi: the greeting, help,
"did you mean", "I don't know", buttons, privacy, the flood warning. Admins' messages stay in
English. The words around an answer itself (verdicts, headings, the disclaimer) are in
bot.wording, which the terminal shares; these are the chat's alone.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

from bot.knowledge import KnowledgeBase
from bot.render import help_topics_text
from bot.wording import ENGLISH, HINDI, wording


@dataclass(frozen=True)
class Messages:
    start: str
    help: str
    privacy: str  # {days}
    privacy_service: str  # {title}
    privacy_language: str  # {language}
    forgotten: str  # {count}, {s} (English plural)
    service_pick: str
    service_now: str  # {title}
    service_set: str  # {title}; a button's notice: 200 characters at most
    service_cleared: str
    forget_service: str  # a button
    i_am: str  # a button: "I am: {title}"
    language_pick: str
    language_now: str  # {language}
    language_set: str  # {language}
    language_auto: str  # a button, and the notice when it is chosen
    please_type: str
    unknown_command: str
    ask_usage: str
    stale_button: str
    topics: str
    back_to_topics: str  # a button
    situations: str  # {count}: under a concern's title in /topics
    something_went_wrong: str
    full_answer: str  # a button
    ask_privately: str  # a button
    slow_down: str
    slow_down_taps: str  # an inline results button and a notice: 64 characters at most
    thanks_up: str
    thanks_down: str
    not_saved: str
    no_storage: str
    browse: str
    nearest_below: str
    only_conduct: str  # the group's short "I don't know"


_EN = Messages(
    start=(
        "<b>Namaste! I answer public servants' questions about social media.</b>\n\n"
        "Ask in your own words, in English, Hinglish or Hindi, for example <i>Can I post a "
        "reel from my official vehicle?</i> or <i>vardi mein photo daal sakte hai?</i>, and I "
        "reply with the rule: a verdict, why it matters, an example, what to do instead and "
        "its source.\n\n"
        "/topics lets you browse everything I know. /help shows how to use me in groups."
    ),
    help=(
        "<b>How to ask</b>\n"
        "• In this chat: just type your question.\n"
        "• In a group: <code>/ask your question</code>, mention me, or reply to one of my "
        "messages. I stay quiet otherwise.\n"
        "• In any chat: type my @username and a question to pick an answer to send.\n"
        "• /topics: browse the concerns and the situations under each.\n"
        "• /service: tell me your service once, so verdicts follow your rules.\n"
        "• /language: answers in English or Hindi (by default, the language you write in).\n"
        "• /privacy: what I store and why; /forget: delete it."
    ),
    privacy=(
        "<b>What I keep, and why</b>\n"
        "• For each question: the time, the kind of chat (private or group), the question in "
        "lower case without punctuation, the answer I gave (or that I had none) and how sure "
        "I was. Admins use this to see what I fail to answer and to improve the answers.\n"
        "• Your 👍 / 👎 votes, one per answer.\n"
        "• Your service and language, if you chose them with /service and /language.\n"
        "• Not your name, username or Telegram id: only a keyed one-way code of the id, so "
        "that /forget can find your rows.\n"
        "Questions are deleted after {days} days. /forget deletes everything of yours now."
    ),
    privacy_service="\n\nYour service, as you chose it: <b>{title}</b>.",
    privacy_language="\n\nYour language, as you chose it: <b>{language}</b>.",
    forgotten="Done: I deleted {count} stored item{s} (questions, votes and choices) of yours.",
    service_pick=(
        "<b>Which service are you in?</b>\n"
        "Some answers differ by service: the CCS rules for central staff, the AIS rules for "
        "IAS, IPS and IFoS, and forces' and states' own orders. Pick yours once and answers "
        "follow it; saying it in a question (\u201cI'm UP Police, …\u201d) works too."
    ),
    service_now="\n\nNow: <b>{title}</b>.",
    service_set="Noted: answers now follow the rules for {title}. Change it with /service.",
    service_cleared="Done: I no longer keep your service.",
    forget_service="Forget my service",
    i_am="I am: {title}",
    language_pick=(
        "<b>Which language should I answer in?</b>\n"
        "By default I answer in the language you write in: Hindi for a question in Devanagari, "
        "English otherwise (Hinglish included)."
    ),
    language_now="\n\nNow: <b>{language}</b>.",
    language_set="Noted: I will answer in {language}. Change it with /language.",
    language_auto="The language I'm asked in",
    please_type="Please type your question as text, for example: <i>Can I post in uniform?</i>",
    unknown_command="I don't know that command. Type your question, or see /help.",
    ask_usage="Ask like this: <code>/ask can I post a reel in uniform?</code>",
    stale_button="Sorry, that button is out of date. Please ask again or send /topics.",
    topics="<b>Topics</b>\nPick a concern to see the situations under it, or a guideline.",
    back_to_topics="« Topics",
    situations="{count} situations:",
    something_went_wrong="Sorry, something went wrong on my side. Please try again.",
    full_answer="Full answer",
    ask_privately="Ask me privately",
    slow_down="You're asking faster than I can keep up. Please wait a minute, then ask again.",
    slow_down_taps="You're going faster than I can keep up. Please wait a moment.",
    thanks_up="Thanks! Glad it helped. 👍",
    thanks_down="Thanks, noted. The admins review answers marked 👎.",
    not_saved="Sorry, I could not save that just now. Please try again later.",
    no_storage=(
        "Sorry, my database is unavailable at the moment, so I can neither save nor delete "
        "anything. My answers are not affected."
    ),
    browse="Or browse with /topics.",
    nearest_below="The nearest topics I know are below; or browse with /topics.",
    only_conduct="I only answer questions about conduct on social media.",
)

_HI = Messages(
    start=(
        "<b>नमस्ते! मैं लोक सेवकों के सोशल मीडिया से जुड़े सवालों के जवाब देता हूँ।</b>\n\n"
        "अपने शब्दों में पूछिए, हिंदी, हिंग्लिश या अंग्रेज़ी में, जैसे <i>क्या मैं सरकारी गाड़ी से "
        "रील पोस्ट कर सकता हूँ?</i> या <i>वर्दी में फोटो डाल सकते हैं?</i>, और मैं नियम बताऊँगा: "
        "फ़ैसला, यह क्यों ज़रूरी है, एक उदाहरण, इसके बजाय क्या करें और इसका स्रोत।\n\n"
        "/topics से आप मेरे सारे विषय देख सकते हैं। /help बताता है कि ग्रुप में मुझसे कैसे पूछें।"
    ),
    help=(
        "<b>कैसे पूछें</b>\n"
        "• इस चैट में: बस अपना सवाल लिखिए।\n"
        "• ग्रुप में: <code>/ask आपका सवाल</code> लिखिए, मुझे मेंशन कीजिए, या मेरे किसी संदेश का "
        "जवाब दीजिए। वरना मैं चुप रहता हूँ।\n"
        "• किसी भी चैट में: मेरा @username और सवाल लिखकर भेजने लायक जवाब चुनिए।\n"
        "• /topics: चिंताएँ और हर चिंता के तहत आने वाली स्थितियाँ देखिए।\n"
        "• /service: एक बार अपनी सेवा बता दीजिए, ताकि फ़ैसले आपके नियमों के हिसाब से हों।\n"
        "• /language: जवाब हिंदी में या अंग्रेज़ी में (अपने आप: जिस भाषा में आप लिखें)।\n"
        "• /privacy: मैं क्या रखता हूँ और क्यों; /forget: उसे मिटाइए।"
    ),
    privacy=(
        "<b>मैं क्या रखता हूँ, और क्यों</b>\n"
        "• हर सवाल का: समय, चैट का प्रकार (निजी या ग्रुप), छोटे अक्षरों में बिना विराम-चिह्न का "
        "सवाल, मैंने क्या जवाब दिया (या कि मेरे पास जवाब नहीं था) और मैं कितना पक्का था। "
        "एडमिन इससे देखते हैं कि मैं किन सवालों के जवाब नहीं दे पाता, और जवाब सुधारते हैं।\n"
        "• आपके 👍 / 👎 वोट, हर जवाब पर एक।\n"
        "• आपकी सेवा और भाषा, अगर आपने /service और /language से चुनी हैं।\n"
        "• आपका नाम, यूज़रनेम या टेलीग्राम आईडी नहीं: आईडी का सिर्फ़ एक कुंजी वाला एकतरफ़ा "
        "कोड, ताकि /forget आपकी पंक्तियाँ ढूँढ सके।\n"
        "सवाल {days} दिन बाद मिटा दिए जाते हैं। /forget आपका सब कुछ अभी मिटा देता है।"
    ),
    privacy_service="\n\nआपकी चुनी हुई सेवा: <b>{title}</b>।",
    privacy_language="\n\nआपकी चुनी हुई भाषा: <b>{language}</b>।",
    forgotten="हो गया: आपके बारे में रखा सब कुछ मिटा दिया ({count} चीज़ें: सवाल, वोट और आपकी पसंद)।",
    service_pick=(
        "<b>आप किस सेवा में हैं?</b>\n"
        "कुछ जवाब सेवा के हिसाब से बदलते हैं: केंद्रीय कर्मचारियों के लिए सीसीएस नियम, आईएएस, "
        "आईपीएस और आईएफ़ओएस के लिए एआईएस नियम, और बलों व राज्यों के अपने आदेश। एक बार अपनी "
        "सेवा चुन लीजिए, जवाब उसी के हिसाब से मिलेंगे; सवाल में बताना (\u201cमैं यूपी पुलिस में "
        "हूँ, …\u201d) भी चलता है।"
    ),
    service_now="\n\nअभी: <b>{title}</b>।",
    service_set="नोट कर लिया: अब जवाब {title} के नियमों के हिसाब से होंगे। बदलने के लिए /service।",
    service_cleared="हो गया: अब मैं आपकी सेवा नहीं रखता।",
    forget_service="मेरी सेवा भूल जाइए",
    i_am="मैं हूँ: {title}",
    language_pick=(
        "<b>मैं किस भाषा में जवाब दूँ?</b>\n"
        "अपने आप मैं उसी भाषा में जवाब देता हूँ जिसमें आप लिखते हैं: देवनागरी में सवाल हो तो "
        "हिंदी, वरना (हिंग्लिश भी) अंग्रेज़ी।"
    ),
    language_now="\n\nअभी: <b>{language}</b>।",
    language_set="नोट कर लिया: मैं {language} में जवाब दूँगा। बदलने के लिए /language।",
    language_auto="जिस भाषा में पूछा जाए",
    please_type="कृपया अपना सवाल लिखकर भेजिए, जैसे: <i>क्या मैं वर्दी में पोस्ट कर सकता हूँ?</i>",
    unknown_command="यह कमांड मुझे नहीं पता। अपना सवाल लिखिए, या /help देखिए।",
    ask_usage="ऐसे पूछिए: <code>/ask क्या मैं वर्दी में रील डाल सकता हूँ?</code>",
    stale_button="माफ़ कीजिए, यह बटन पुराना हो गया है। फिर से पूछिए या /topics भेजिए।",
    topics="<b>विषय</b>\nकोई चिंता चुनिए और उसके तहत की स्थितियाँ देखिए, या कोई दिशानिर्देश।",
    back_to_topics="« विषय",
    situations="{count} स्थितियाँ:",
    something_went_wrong="माफ़ कीजिए, मेरी तरफ़ से कुछ गड़बड़ हो गई। कृपया फिर से कोशिश कीजिए।",
    full_answer="पूरा जवाब",
    ask_privately="मुझसे निजी चैट में पूछिए",
    slow_down="आप मेरी रफ़्तार से ज़्यादा तेज़ पूछ रहे हैं। एक मिनट रुककर फिर पूछिए।",
    slow_down_taps="आप बहुत तेज़ी से दबा रहे हैं। कृपया थोड़ा रुकिए।",
    thanks_up="धन्यवाद! खुशी है कि काम आया। 👍",
    thanks_down="धन्यवाद, नोट कर लिया। 👎 वाले जवाब एडमिन देखते हैं।",
    not_saved="माफ़ कीजिए, अभी यह सहेजा नहीं जा सका। थोड़ी देर बाद फिर कोशिश कीजिए।",
    no_storage=(
        "माफ़ कीजिए, मेरा डेटाबेस अभी उपलब्ध नहीं है, इसलिए मैं न कुछ सहेज सकता हूँ न मिटा "
        "सकता हूँ। मेरे जवाबों पर इसका कोई असर नहीं है।"
    ),
    browse="या /topics से विषय देखिए।",
    nearest_below="मेरे पास इनसे मिलते-जुलते विषय नीचे हैं; या /topics से देखिए।",
    only_conduct="मैं सिर्फ़ सोशल मीडिया पर आचरण से जुड़े सवालों के जवाब देता हूँ।",
)

MESSAGES: Mapping[str, Messages] = {ENGLISH: _EN, HINDI: _HI}
LANGUAGE_NAMES: Mapping[str, Mapping[str, str]] = {  # a language's name, in each language
    ENGLISH: {ENGLISH: "English", HINDI: "Hindi (हिंदी)"},
    HINDI: {ENGLISH: "अंग्रेज़ी", HINDI: "हिंदी"},
}


def messages(language: str | None) -> Messages:
    return MESSAGES.get(language or ENGLISH, _EN)


def language_name(language: str, shown_in: str | None) -> str:
    names = LANGUAGE_NAMES.get(shown_in or ENGLISH, LANGUAGE_NAMES[ENGLISH])
    return names.get(language, language)


def start(language: str | None) -> str:
    return f"{messages(language).start}\n\n<i>{html.escape(wording(language).disclaimer)}</i>"


def help_text(language: str | None) -> str:
    return f"{messages(language).help}\n\n<i>{html.escape(wording(language).disclaimer)}</i>"


def no_match(kb: KnowledgeBase, language: str | None, *, nearest: bool = False) -> str:
    """An honest "I don't know" that still says what the bot can help with (the same words
    as the terminal's), then points to the nearest topics below, if there are some."""
    said = messages(language)
    helps = html.escape(help_topics_text(kb, language or ENGLISH))
    return (
        f"{html.escape(wording(language).no_match)}\n\n{helps}\n\n"
        f"{said.nearest_below if nearest else said.browse}"
    )


def no_match_short(language: str | None) -> str:
    """The group version: brief, pointing to the private chat for more."""
    return f"{html.escape(wording(language).no_match)} {messages(language).only_conduct}"


def vague(language: str | None) -> str:
    """A question that names no topic ("can I post?"): ask what it is about, never guess."""
    return f"{html.escape(wording(language).vague)}\n\n{messages(language).browse}"


def vague_short(language: str | None) -> str:
    return html.escape(wording(language).vague)


def did_you_mean(language: str | None) -> str:
    return html.escape(wording(language).did_you_mean)


def question_heading(number: int, total: int, question: str) -> str:
    """Over each answer to a message that asked several things: which question it answers."""
    if total < 2:
        return ""
    shown = question if len(question) <= 120 else question[:117] + "…"
    return f"<i>{number}/{total}: \u201c{html.escape(shown.strip())}\u201d</i>\n\n"


def topic_heading(title: str, count: int, language: str | None) -> str:
    situations = messages(language).situations.format(count=count)
    if count == 1 and (language or ENGLISH) == ENGLISH:
        situations = "1 situation:"
    return f"<b>{html.escape(title)}</b>\n{situations}"
