"""`conduct-bot playground`: the real bot against the Bot API emulator, in a browser page.

An admin who has just edited the knowledge base sees what officers will see (Telegram's
formatting, buttons, edits, groups, inline mode) and why the bot chose it (the explain
panel), without a token or the internet. Modules: `entities` (Telegram HTML as a client
receives it), `chats` (the emulator plus what a client keeps), `explain` (the matcher's
reasons, in words), `server` (the web page and its JSON API); the page itself is in `static/`.
"""
