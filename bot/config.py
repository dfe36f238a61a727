"""Settings, read from the environment in one place and validated once.

Every tunable number lives here with its reason, so nothing magic hides in the code that
uses it. CLI flags override the environment by passing keyword overrides to `from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import get_type_hints
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
MIN_KEY_BYTES = 32  # an HMAC key shorter than its hash leaves the hashed user ids guessable
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def default_knowledge_dir() -> Path:
    """The repository's knowledge/ in a checkout, else the copy bundled into the wheel."""
    checkout = PACKAGE_DIR.parent / "knowledge"
    return checkout if checkout.is_dir() else PACKAGE_DIR / "_knowledge"


def default_data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the database and admins' additions live: $XDG_DATA_HOME/conduct-bot."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "conduct-bot"


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the built knowledge base is kept between runs: $XDG_CACHE_HOME/conduct-bot."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "conduct-bot"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the three bands, tuned on the evaluation sets (see README)."""

    # Chosen from the calibration table (conduct-bot eval --bands over tests/eval/): a best
    # entry is right about 80% of the time when it leads the runner-up by under 0.1, and
    # over 95% when it leads by 0.15 or more, whatever its score; so a confident answer
    # needs the score and a clear lead.
    # At or above: a confident answer, if it also leads the runner-up by `margin`...
    confident_score: float = 0.35
    margin: float = 0.14
    # ...or, when it is at least this high, by `sure_margin`, if the question gives at least
    # `min_evidence` matching words: one word that two entries share ("should I delete it
    # now?": correcting a post, or deleting comments) is no lead, however well it matches.
    sure_score: float = 0.6
    sure_margin: float = 0.06
    # A confident answer also needs this many of the question's words to match: one word
    # alone ("joke", "uniform") is a hint worth offering, not an answer worth trusting.
    min_evidence: int = 2
    # ...and must explain at least this share of the question's weight: an answer that rests
    # on one strong word while the rest of the question is about something else is a guess.
    min_coverage: float = 0.0
    # A phrase on the off-topic list ("sign up", "install", "income tax") declines a question,
    # unless the best entry explains at least this share of it with this many of its words:
    # then the phrase is an aside ("sign up to Twitter with my NIC email", "an income tax
    # inspector with a cooking channel"), not what is asked. Questions that are about the
    # phrase ("how to file income tax return") are explained at most 0.76 by any entry.
    aside_coverage: float = 0.8
    aside_evidence: int = 6
    # Words the knowledge base has never seen weigh this much times its rarest word, so a
    # question about something else ("renew my passport") cannot look like a match.
    unknown_word_weight: float = 0.75
    # Below: no match at all. Between: "did you mean" with up to `max_candidates` entries.
    suggest_score: float = 0.25
    max_candidates: int = 3
    # Below this, "did you mean" would offer entries that are rarely right: the answer is
    # "I don't know" instead, with up to `hints` nearest topics as buttons.
    hint_score: float = 0.4
    hints: int = 2
    # The share of the score from the closest single phrasing (the rest: coverage).
    phrasing_weight: float = 0.5
    # How much an entry's word counts towards covering a question grows with the number of
    # the entry's phrasings that use it (1 - exp(-uses / this)): a word that came up once, in
    # one long story, says less about the entry than one most of its questions use.
    word_saturation: float = 1.0
    # Which of two entries that match about as well is meant: candidates are ordered, and the
    # lead measured, on (1 - this) * score + this * the entry's naive Bayes posterior (see
    # bot.matcher), with add-`likelihood_smoothing` (Laplace) smoothing of word counts. Chosen
    # on the tuning sets (README, "Matching quality") with margin and sure_margin.
    likelihood_weight: float = 0.3
    likelihood_smoothing: float = 1.0
    # ...in which a story's words (weighed context_weight, story_share) count this much again:
    # naive Bayes adds every word's evidence, so a long story could outvote its question.
    story_likelihood: float = 0.8
    # Long pastes are cut before matching (keeping the end, where the question usually is).
    max_question_chars: int = 1200
    # In a message that tells a story before asking, how much the story's words count
    # against the asking clauses' (whose words count fully).
    context_weight: float = 0.7
    # ...and, of those, a word no entry is about (one that came up once, in another story)
    # counts this much more again: "Ballia", "kal", "programme" are details, not topics.
    story_share: float = 0.4


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=default_knowledge_dir)
    match: MatchSettings = field(default_factory=MatchSettings)
    # Telegram. The token is secret: it is never logged or shown (see bot.logs).
    token: str | None = field(default=None, repr=False)
    # Or a file holding it (container secrets), read only by the command that needs the
    # token (run), so `ask` and `validate` work in an image without the secret mounted.
    token_file: Path | None = None
    api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "127.0.0.1"  # the TLS proxy in front; 0.0.0.0 in a container
    webhook_port: int = 8443
    # Seconds a webhook request may take to arrive (headers, then body), and an idle
    # connection may stay open: enough for Telegram, too little to hold a slow client.
    webhook_timeout_seconds: float = 10.0
    # Telegram asks bots to stay near 30 messages a second overall and 20 a minute per group.
    messages_per_second: float = 30.0
    request_timeout: float = 10.0  # seconds to wait for the Bot API to answer a request
    # Updates handled at once. More only adds HTTP connections to juggle: answering takes
    # well under a millisecond of CPU, the rest is waiting for Telegram (see benchmarks/).
    concurrent_updates: int = 32
    # Updates fetched at once (1 to 100); by default what the bot answers in about 3 seconds
    # at messages_per_second. Fewer in hand means less to answer at SIGTERM and less to
    # answer again after SIGKILL; the rest wait at Telegram, unconfirmed.
    updates_per_fetch: int | None = None
    # After SIGTERM, seconds to answer what is in hand (docker stop kills at 10).
    stop_timeout_seconds: float = 5.0
    # While getUpdates fails, the longest pause between attempts: a recovered API is polled
    # again within this many seconds.
    poll_retry_max_seconds: float = 5.0
    # The first pause before a Bot API request is sent again (it doubles each time).
    retry_pause_seconds: float = 0.25
    log_level: str = "INFO"
    # Per-user flood control (0 turns a limit off): questions (messages to the bot) per
    # window, and separately, generously, inline-mode keystrokes and button presses, which
    # arrive one per character typed or button pressed.
    user_questions_per_window: int = 20
    user_taps_per_window: int = 120
    flood_window_seconds: float = 60.0
    # Admins and storage.
    admin_user_ids: frozenset[int] = frozenset()
    data_dir: Path = field(default_factory=default_data_dir)
    # The built knowledge base, kept so that commands start fast (bot.built); None: not kept.
    cache_dir: Path | None = field(default_factory=default_cache_dir)
    database_path: Path | None = None  # default: data_dir / conduct-bot.sqlite3
    user_hash_key: str | None = field(default=None, repr=False)
    retention_days: int = 90
    watch_interval: float = 1.0  # seconds between checks of the knowledge files with --watch

    @property
    def fetch_limit(self) -> int:
        wanted = self.updates_per_fetch or round(self.messages_per_second * 3)
        return max(1, min(100, wanted))

    @property
    def database(self) -> Path:
        return self.database_path or self.data_dir / "conduct-bot.sqlite3"

    @property
    def learned_phrasings(self) -> Path:
        """Admins' additions from the bot: a knowledge file apart from the hand-written ones."""
        return self.data_dir / "learned-phrasings.yaml"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        for old, new in _RENAMED.items():
            if env.get(old):
                raise ConfigError(f"{old} is now {new} (a limit per FLOOD_WINDOW_SECONDS)")
        values: dict[str, object] = {
            "match": _match_settings(env),
            "token": env.get("TELEGRAM_BOT_TOKEN", "").strip() or None,
            "token_file": Path(env["TELEGRAM_BOT_TOKEN_FILE"])
            if env.get("TELEGRAM_BOT_TOKEN_FILE")
            else None,
            "admin_user_ids": _user_ids(env.get("ADMIN_USER_IDS", "")),
            "data_dir": default_data_dir(env),
            "cache_dir": _cache_dir(env),
        }
        for name, variable, kind in _VARIABLES:
            if env.get(variable):
                values[name] = _convert(variable, env[variable], kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        level = settings.log_level.strip().upper()
        if level not in LOG_LEVELS:
            raise ConfigError(
                f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}; got {settings.log_level!r}"
            )
        key = settings.user_hash_key
        if key is not None and len(key.encode()) < MIN_KEY_BYTES:
            raise ConfigError(
                f"USER_HASH_KEY is {len(key.encode())} bytes; a user-hash key needs at least "
                f"{MIN_KEY_BYTES} (python -c 'import secrets; print(secrets.token_hex(32))')"
            )
        _check(settings)
        return replace(settings, api_base_url=settings.api_base_url.rstrip("/"), log_level=level)


_VARIABLES: tuple[tuple[str, str, type], ...] = (
    ("knowledge_dir", "KNOWLEDGE_DIR", Path),
    ("api_base_url", "TELEGRAM_API_BASE_URL", str),
    ("webhook_url", "WEBHOOK_URL", str),
    ("webhook_secret", "WEBHOOK_SECRET_TOKEN", str),
    ("webhook_listen", "WEBHOOK_LISTEN", str),
    ("webhook_port", "WEBHOOK_PORT", int),
    ("webhook_timeout_seconds", "WEBHOOK_TIMEOUT_SECONDS", float),
    ("messages_per_second", "TELEGRAM_MESSAGES_PER_SECOND", float),
    ("request_timeout", "TELEGRAM_REQUEST_TIMEOUT", float),
    ("concurrent_updates", "CONCURRENT_UPDATES", int),
    ("updates_per_fetch", "UPDATES_PER_FETCH", int),
    ("stop_timeout_seconds", "STOP_TIMEOUT_SECONDS", float),
    ("poll_retry_max_seconds", "POLL_RETRY_MAX_SECONDS", float),
    ("retry_pause_seconds", "RETRY_PAUSE_SECONDS", float),
    ("log_level", "LOG_LEVEL", str),
    ("user_questions_per_window", "USER_QUESTIONS_PER_WINDOW", int),
    ("user_taps_per_window", "USER_TAPS_PER_WINDOW", int),
    ("flood_window_seconds", "FLOOD_WINDOW_SECONDS", float),
    ("data_dir", "DATA_DIR", Path),
    ("database_path", "DATABASE_PATH", Path),
    ("user_hash_key", "USER_HASH_KEY", str),
    ("retention_days", "RETENTION_DAYS", int),
    ("watch_interval", "WATCH_INTERVAL", float),
)


# Variables an older release read under another name: starting with one set says so, rather
# than quietly ignoring an operator's limit.
_RENAMED = {
    "USER_UPDATES_PER_MINUTE": "USER_QUESTIONS_PER_WINDOW",
    "USER_TAPS_PER_MINUTE": "USER_TAPS_PER_WINDOW",
}
# Numbers that make no sense below a floor: (field, variable, floor).
_FLOORS: tuple[tuple[str, str, float], ...] = (
    ("retention_days", "RETENTION_DAYS", 1),
    ("webhook_port", "WEBHOOK_PORT", 1),
    ("webhook_timeout_seconds", "WEBHOOK_TIMEOUT_SECONDS", 0.1),
    ("messages_per_second", "TELEGRAM_MESSAGES_PER_SECOND", 0.1),
    ("request_timeout", "TELEGRAM_REQUEST_TIMEOUT", 0.1),
    ("concurrent_updates", "CONCURRENT_UPDATES", 1),
    ("stop_timeout_seconds", "STOP_TIMEOUT_SECONDS", 0),
    ("poll_retry_max_seconds", "POLL_RETRY_MAX_SECONDS", 0.01),
    ("retry_pause_seconds", "RETRY_PAUSE_SECONDS", 0.001),
    ("user_questions_per_window", "USER_QUESTIONS_PER_WINDOW", 0),
    ("user_taps_per_window", "USER_TAPS_PER_WINDOW", 0),
    ("flood_window_seconds", "FLOOD_WINDOW_SECONDS", 0.1),
    ("watch_interval", "WATCH_INTERVAL", 0.05),
)


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _check(settings: Settings) -> None:
    """Refuse settings that would misbehave quietly (a negative retention deletes every
    question at once; an http:// webhook would carry the token's updates in clear)."""
    for name, variable, floor in _FLOORS:
        value = getattr(settings, name)
        if value < floor:
            raise ConfigError(f"{variable} must be at least {floor:g}; got {value:g}")
    url = urlsplit(settings.webhook_url or "")
    if settings.webhook_url and url.scheme != "https" and url.hostname not in _LOOPBACK:
        raise ConfigError(
            "WEBHOOK_URL must be an https:// URL (Telegram posts updates only to those; "
            f"plain http only to this machine, for a local Bot API server); got {url.geturl()!r}"
        )


def _cache_dir(env: Mapping[str, str]) -> Path | None:
    """CACHE_DIR: a folder, or "off" to build the knowledge base afresh every time."""
    raw = env.get("CACHE_DIR", "").strip()
    if raw.lower() == "off":
        return None
    return Path(raw) if raw else default_cache_dir(env)


def _user_ids(raw: str) -> frozenset[int]:
    """ADMIN_USER_IDS: Telegram user ids separated by commas or spaces."""
    try:
        return frozenset(int(part) for part in raw.replace(",", " ").split())
    except ValueError:
        raise ConfigError(f"ADMIN_USER_IDS must be numeric user ids, got {raw!r}") from None


_KINDS = {int: "a whole number", float: "a number", str: "text", Path: "a path"}


def _convert(variable: str, raw: str, kind: type) -> object:
    try:
        return kind(raw.strip())
    except ValueError:
        what = _KINDS.get(kind, kind.__name__)
        raise ConfigError(f"{variable} must be {what}, got {raw!r}") from None


def with_token(settings: Settings) -> Settings:
    """The settings with the token read from TELEGRAM_BOT_TOKEN_FILE, when that is how it is
    given; a file that cannot be read or is empty is a ConfigError naming it."""
    if settings.token or settings.token_file is None:
        return settings
    path = settings.token_file
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"TELEGRAM_BOT_TOKEN_FILE: cannot read {path}: {error.strerror}"
        ) from None
    if not token:
        raise ConfigError(f"TELEGRAM_BOT_TOKEN_FILE: {path} is empty")
    return replace(settings, token=token)


def _match_settings(env: Mapping[str, str]) -> MatchSettings:
    """MATCH_CONFIDENT_SCORE, MATCH_SUGGEST_SCORE, ...: one variable per MatchSettings field."""
    values: dict[str, object] = {}
    kinds = get_type_hints(MatchSettings)
    for spec in fields(MatchSettings):
        name = f"MATCH_{spec.name.upper()}"
        if env.get(name):
            values[spec.name] = _convert(name, env[name], kinds[spec.name])
    return MatchSettings(**values)  # type: ignore[arg-type]
