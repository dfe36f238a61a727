"""Settings, read from the environment in one place and validated once.

Every tunable number lives here with its reason, so nothing magic hides in the code that
uses it. CLI flags override the environment by passing keyword overrides to `from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def default_knowledge_dir() -> Path:
    """The repository's knowledge/ in a checkout, else the copy bundled into the wheel."""
    checkout = PACKAGE_DIR.parent / "knowledge"
    return checkout if checkout.is_dir() else PACKAGE_DIR / "_knowledge"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the three bands, tuned on the evaluation sets (see README)."""

    # At or above: a confident answer, if it also leads the runner-up by `margin`...
    confident_score: float = 0.5
    # ...or is at least this high, when two entries are both good answers.
    sure_score: float = 0.72
    margin: float = 0.06
    # Below: no match at all. Between: "did you mean" with up to `max_candidates` entries.
    suggest_score: float = 0.28
    max_candidates: int = 3
    # The share of the score from the closest single phrasing (the rest: coverage).
    phrasing_weight: float = 0.5
    # Long pastes are cut before matching: a question never needs more.
    max_question_chars: int = 500


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = field(default_factory=default_knowledge_dir)
    match: MatchSettings = field(default_factory=MatchSettings)
    # Telegram. The token is secret: it is never logged or shown (see bot.logs).
    token: str | None = field(default=None, repr=False)
    api_base_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    # Telegram asks bots to stay near 30 messages a second overall and 20 a minute per group.
    messages_per_second: float = 30.0
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {"match": _match_settings(env), "token": _token(env)}
        for name, variable, kind in _VARIABLES:
            if env.get(variable):
                values[name] = _convert(variable, env[variable], kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        return replace(settings, api_base_url=settings.api_base_url.rstrip("/"))


_VARIABLES: tuple[tuple[str, str, type], ...] = (
    ("knowledge_dir", "KNOWLEDGE_DIR", Path),
    ("api_base_url", "TELEGRAM_API_BASE_URL", str),
    ("webhook_url", "WEBHOOK_URL", str),
    ("webhook_secret", "WEBHOOK_SECRET_TOKEN", str),
    ("webhook_listen", "WEBHOOK_LISTEN", str),
    ("webhook_port", "WEBHOOK_PORT", int),
    ("messages_per_second", "TELEGRAM_MESSAGES_PER_SECOND", float),
    ("log_level", "LOG_LEVEL", str),
)


def _convert(variable: str, raw: str, kind: type) -> object:
    try:
        return kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{variable} must be a {kind.__name__}, got {raw!r}") from None


def _token(env: Mapping[str, str]) -> str | None:
    """TELEGRAM_BOT_TOKEN, or the file TELEGRAM_BOT_TOKEN_FILE names (container secrets)."""
    if env.get("TELEGRAM_BOT_TOKEN"):
        return env["TELEGRAM_BOT_TOKEN"].strip()
    path = env.get("TELEGRAM_BOT_TOKEN_FILE")
    if not path:
        return None
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(
            f"TELEGRAM_BOT_TOKEN_FILE: cannot read {path}: {error.strerror}"
        ) from None
    if not token:
        raise ConfigError(f"TELEGRAM_BOT_TOKEN_FILE: {path} is empty")
    return token


def _match_settings(env: Mapping[str, str]) -> MatchSettings:
    """MATCH_CONFIDENT_SCORE, MATCH_SUGGEST_SCORE, ...: one variable per MatchSettings field."""
    values: dict[str, object] = {}
    for spec in fields(MatchSettings):
        name = f"MATCH_{spec.name.upper()}"
        if env.get(name):
            values[spec.name] = _convert(name, env[name], int if spec.type == "int" else float)
    return MatchSettings(**values)  # type: ignore[arg-type]
