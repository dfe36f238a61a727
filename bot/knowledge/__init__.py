"""The knowledge base: its model, its one declared format, loading and checks.

model     immutable entries, services and the knowledge base readers use
format    the YAML format, declared once; validation and the JSON Schema derive from it
loading   reading the files into a knowledge base, or every problem at once
checks    what no single entry can check alone (links, duplicates, synonyms)
"""

from bot.knowledge.format import MAX_ID_LENGTH, SCHEMA_FILE, json_schema
from bot.knowledge.loading import load_knowledge
from bot.knowledge.model import (
    KINDS,
    LANGUAGES,
    VERDICTS,
    Entry,
    Hindi,
    KnowledgeBase,
    KnowledgeDiff,
    KnowledgeError,
    Problem,
    Service,
    ServiceLine,
)

__all__ = [
    "KINDS",
    "LANGUAGES",
    "MAX_ID_LENGTH",
    "SCHEMA_FILE",
    "VERDICTS",
    "Entry",
    "Hindi",
    "KnowledgeBase",
    "KnowledgeDiff",
    "KnowledgeError",
    "Problem",
    "Service",
    "ServiceLine",
    "json_schema",
    "load_knowledge",
]
