"""The Bot API emulator, plus what a Telegram client keeps for the playground's page.

The bot talks to this exactly as it talks to the test emulator (it is one, by inheritance).
On top, it keeps what a person's Telegram app would show: every message with its formatting
as Telegram's entities, who said it, inline results that can be sent, and a version number
that changes whenever anything a client shows changes, so the page can wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.emulator import JSON, BotAPIEmulator, bad_request
from bot.playground.entities import from_html, from_plain

KEPT_INLINE_ANSWERS = 50  # inline answers whose results can still be sent


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    admin: bool = False


class PlaygroundEmulator(BotAPIEmulator):
    """The loopback Bot API that the real bot polls, remembering chats as a client does."""

    def __init__(
        self, token: str, *, bot_username: str, people: Mapping[int, Person], group: JSON
    ) -> None:
        super().__init__(token, bot_username=bot_username)
        self.people = dict(people)
        self.version = 0
        self._versions = asyncio.Condition()
        self._inline_results: dict[str, list[JSON]] = {}
        self.group_id = int(group["id"])
        self._chat(self.group_id, "supergroup", str(group["title"]))

    # -- what the page waits for ----------------------------------------------------------

    async def changed(self) -> None:
        async with self._versions:
            self.version += 1
            self._versions.notify_all()

    async def wait_for_change(self, after: int, seconds: float) -> int:
        """The version once it is past `after`, or the current one after `seconds`."""
        async with self._versions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._versions.wait_for(lambda: self.version > after), seconds
                )
            return self.version

    # -- what the page reads --------------------------------------------------------------

    def chat_messages(self, chat_id: int) -> list[JSON]:
        """The chat's messages in order, the bot's deleted ones left out."""
        return [
            message
            for (chat, number), message in sorted(self._messages.items())
            if chat == chat_id
            and (message.get("from") != self.bot_user or (chat, number) in self.sent_messages)
        ]

    def message(self, chat_id: int, message_id: int) -> JSON:
        found = self._messages.get((chat_id, message_id))
        if found is None:
            raise bad_request("message not found")
        return found

    def commands(self, chat_id: int) -> list[JSON]:
        """The command menu a client shows in this chat: the most specific scope set."""
        if chat_id < 0:
            scopes: list[JSON] = [{"type": "all_group_chats"}]
        else:
            scopes = [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        for scope in (*scopes, {"type": "default"}):
            found = self.bot_commands.get((json.dumps(scope, sort_keys=True), ""))
            if found:
                return found
        return []

    # -- what people do -------------------------------------------------------------------

    async def say(self, chat_id: int, user_id: int, text: str, reply_to: int | None) -> JSON:
        """A person types `text` in a chat (private when the chat is theirs, else the group)."""
        target = self.message(chat_id, reply_to) if reply_to else None
        if chat_id == self.group_id:
            update = self.group_message(
                chat_id, user_id, text, reply_to=target, title=self._chats[chat_id]["title"]
            )
        else:
            update = self.private_message(
                user_id, text, first_name=self._name(user_id), reply_to=target
            )
        await self.changed()
        return dict(update["message"])

    async def send_inline_result(
        self, chat_id: int, user_id: int, query_id: str, result_id: str
    ) -> JSON:
        """The chosen inline result, sent to the chat by the person "via @bot", as Telegram does."""
        result = next(
            (r for r in self._inline_results.get(query_id, []) if r.get("id") == result_id), None
        )
        if result is None or chat_id not in self._chats:
            raise bad_request("RESULT_ID_INVALID")
        content = result.get("input_message_content") or {}
        text = str(content.get("message_text") or "")
        html_mode = str(content.get("parse_mode") or "").lower() == "html"
        text, entities = from_html(text) if html_mode else from_plain(text)
        extra: JSON = {"entities": entities, "via_bot": self.bot_user}
        if result.get("reply_markup"):
            extra["reply_markup"] = result["reply_markup"]
        message = self._message(self._chats[chat_id], self._user(user_id), text=text, **extra)
        await self.changed()
        return message

    # -- the emulator's own behaviour, plus formatting and change notices -------------------

    def _user(self, user_id: int, first_name: str = "Officer", username: str | None = None) -> JSON:
        return super()._user(user_id, self._name(user_id, first_name), username)

    def _name(self, user_id: int, default: str = "Officer") -> str:
        person = self.people.get(user_id)
        return person.name if person else default

    async def _m_sendMessage(self, params: JSON) -> JSON:
        message = await super()._m_sendMessage(params)
        _format(message, params)
        await self.changed()
        return message

    async def _m_editMessageText(self, params: JSON) -> JSON | bool:
        message = await super()._m_editMessageText(params)
        if isinstance(message, dict):
            _format(message, params)
            await self.changed()
        return message

    async def _m_editMessageReplyMarkup(self, params: JSON) -> JSON:
        message = await super()._m_editMessageReplyMarkup(params)
        await self.changed()
        return message

    async def _m_deleteMessage(self, params: JSON) -> bool:
        deleted = await super()._m_deleteMessage(params)
        await self.changed()
        return deleted

    async def _m_answerInlineQuery(self, params: JSON) -> bool:
        answered = await super()._m_answerInlineQuery(params)
        self._inline_results[str(params.get("inline_query_id"))] = list(params.get("results") or [])
        while len(self._inline_results) > KEPT_INLINE_ANSWERS:  # one per keystroke: keep the last
            del self._inline_results[next(iter(self._inline_results))]
        return answered


def _format(message: JSON, params: JSON) -> None:
    """Give a sent or edited message the entities Telegram would send clients with it."""
    text = str(params.get("text") or "")
    html_mode = str(params.get("parse_mode") or "").lower() == "html"
    message["text"], entities = from_html(text) if html_mode else from_plain(text)
    if entities:
        message["entities"] = entities
    else:
        message.pop("entities", None)
