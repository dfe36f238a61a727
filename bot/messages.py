"""The bot's fixed texts, in Telegram HTML, kept apart from the code that sends them."""

from __future__ import annotations

import html

from bot.knowledge import KnowledgeBase
from bot.render import DISCLAIMER, NO_MATCH, VAGUE, example_entries

START = (
    "<b>Namaste! I answer public servants' questions about social media.</b>\n\n"
    "Ask in your own words, for example <i>Can I post a reel from my official vehicle?</i> "
    "or <i>vardi mein photo daal sakte hai?</i>, and I reply with the rule: a verdict, why it "
    "matters, an example, what to do instead and its source.\n\n"
    "/topics lets you browse everything I know. /help shows how to use me in groups.\n\n"
    f"<i>{html.escape(DISCLAIMER)}</i>"
)

PRIVACY = (
    "<b>What I keep, and why</b>\n"
    "• For each question: the time, the kind of chat (private or group), the question in "
    "lower case without punctuation, the answer I gave (or that I had none) and how sure I was. "
    "Admins use this to see what I fail to answer and to improve the answers.\n"
    "• Your 👍 / 👎 votes, one per answer.\n"
    "• Your service, if you chose one with /service, so answers follow your rules.\n"
    "• Not your name, username or Telegram id: only a keyed one-way code of the id, so that "
    "/forget can find your rows.\n"
    "Questions are deleted after {days} days. /forget deletes everything of yours now."
)
FORGOTTEN = "Done: I deleted {count} stored item{s} (questions, votes and choices) of yours."
PRIVACY_SERVICE = "\n\nYour service, as you chose it: <b>{title}</b>."
SERVICE_PICK = (
    "<b>Which service are you in?</b>\n"
    "Some answers differ by service: the CCS rules for central staff, the AIS rules for IAS, "
    "IPS and IFoS, and forces' and states' own orders. Pick yours once and answers follow it; "
    "saying it in a question (\u201cI'm UP Police, …\u201d) works too."
)
SERVICE_NOW = "\n\nNow: <b>{title}</b>."
SERVICE_SET = "Noted: answers now follow the rules for {title}. Change it with /service."
SERVICE_CLEARED = "Done: I no longer keep your service."

HELP = (
    "<b>How to ask</b>\n"
    "• In this chat: just type your question.\n"
    "• In a group: <code>/ask your question</code>, mention me, or reply to one of my "
    "messages. I stay quiet otherwise.\n"
    "• In any chat: type my @username and a question to pick an answer to send.\n"
    "• /topics: browse the concerns and the situations under each.\n"
    "• /service: tell me your service once, so verdicts follow your rules.\n"
    "• /privacy: what I store and why; /forget: delete it.\n\n"
    f"<i>{html.escape(DISCLAIMER)}</i>"
)

PLEASE_TYPE = "Please type your question as text, for example: <i>Can I post in uniform?</i>"
UNKNOWN_COMMAND = "I don't know that command. Type your question, or see /help."
ASK_USAGE = "Ask like this: <code>/ask can I post a reel in uniform?</code>"
DID_YOU_MEAN = "I'm not sure which rule you mean. Did you mean one of these?"
STALE_BUTTON = "Sorry, that button is out of date. Please ask again or send /topics."
TOPICS = "<b>Topics</b>\nPick a concern to see the situations under it, or a guideline."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again."
FULL_ANSWER = "Full answer"
SLOW_DOWN = "You're asking faster than I can keep up. Please wait a minute, then ask again."
# Shown on an inline-mode results button and as a button press's notice: 64 characters at most.
SLOW_DOWN_TAPS = "You're going faster than I can keep up. Please wait a moment."
THANKS_UP = "Thanks! Glad it helped. 👍"
THANKS_DOWN = "Thanks, noted. The admins review answers marked 👎."
NOT_SAVED = "Sorry, I could not save that just now. Please try again later."
NO_STORAGE = (
    "Sorry, my database is unavailable at the moment, so I can neither save nor delete "
    "anything. My answers are not affected."
)
ASK_PRIVATELY = "Ask me privately"


def no_match(kb: KnowledgeBase, *, nearest: bool = False) -> str:
    """An honest "I don't know" that still says what the bot can help with (and, below, the
    nearest topics when there are some)."""
    concerns = ", ".join(html.escape(e.title.lower()) for e in kb.of_kind("concern"))
    examples = "\n".join(f"• <i>{html.escape(e.questions[0])}</i>" for e in example_entries(kb))
    return (
        f"{html.escape(NO_MATCH)}\n\n"
        f"I answer questions about public servants' conduct on social media: {concerns}.\n"
        f"For example:\n{examples}\n\n"
        + (
            "The nearest topics I know are below; or browse with /topics."
            if nearest
            else "Or browse with /topics."
        )
    )


def question_heading(number: int, total: int, question: str) -> str:
    """Over each answer to a message that asked several things: which question it answers."""
    if total < 2:
        return ""
    shown = question if len(question) <= 120 else question[:117] + "…"
    return f"<i>{number}/{total}: \u201c{html.escape(shown.strip())}\u201d</i>\n\n"


def vague() -> str:
    """A question that names no topic ("can I post?"): ask what it is about, never guess."""
    return html.escape(VAGUE) + "\n\nOr browse with /topics."


def vague_short() -> str:
    """The group version: ask what the question is about, with an example of /ask."""
    return html.escape(VAGUE)


def no_match_short() -> str:
    """The group version: brief, pointing to the private chat for more."""
    return html.escape(NO_MATCH) + " I only answer questions about conduct on social media."


def topic_heading(title: str, count: int) -> str:
    return f"<b>{html.escape(title)}</b>\n{count} situation{'s' if count != 1 else ''}:"
