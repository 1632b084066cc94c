"""Text that echoes the reply format instead of replying: a template's placeholder, the reply schema, the
prompt's own instructions, or the prompt's worked example copied out.

One implementation for both places that need it: a language model's turn made of such text is invalid
(:func:`skins.worlds.degenerate_reason`), and analysis screens such messages out
(:mod:`skins.analysis.screening`).
"""

from __future__ import annotations

__all__ = ["EXAMPLE_TEXTS", "echoed_template", "is_placeholder_recipient"]

import re

from skins.personas.prompt import EXAMPLE_TURN

_PLACEHOLDER = re.compile(
    r"<\s*[A-Za-z]{2,}\s[\w' ,.:?-]*>"  # <role id>, <what you say>, <Your reply goes here.>
    r"|<\s*(?:tool|message|text|reply|answer|subject|recipient|name)\s*>"  # <tool>
    r"|\{\s*(?:your|the)\s[^{}\n]*\}"  # {your reply to the manager}
    r"|\[\s*(?:your|assistant|insert|response|reply|answer)\b[^\]\n]*\]",  # [Your response here ...]
    re.IGNORECASE,
)
"""A fill-in-the-blank slot of a template: words inside <...>, {your ...} or [Your response ...]."""
_SCHEMA_KEY = re.compile(r"\"(?:messages|thinking|tool_calls|actions)\"\s*:|\{\s*\"to\"\s*:")
"""A key of the reply format's JSON (the text of a message is never JSON in a real reply)."""
_INSTRUCTION = re.compile(
    r"\b(?:respond|reply|answer)\s+(?:\w+\s+){0,3}(?:in|with|as)\s+(?:\w+\s+){0,2}JSON\b"
    r"|\bhow to respond\b|\byour private (?:reasoning|scratchpad)\b",
    re.IGNORECASE,
)
"""The prompt's own instructions copied out ("Respond in JSON only", "your private reasoning")."""
_SCHEMA_WORDS = frozenset(
    {
        *("string", "str", "text", "array", "object", "list", "null", "none", "...", "…", "thinking", "message"),
        *("what you say", "what i say", "your message", "its arguments", "a tool id you hold"),
    }
)
"""A whole text that is only a JSON Schema type name, a field name or a key's description in the prompt."""
_RECIPIENT_SLOT = re.compile(r"^\W*(?:role[ _-]?ids?|recipients?|persona|name|someone|to)\W*$", re.IGNORECASE)
"""A recipient that names the slot instead of a role ("role id", "recipient")."""

EXAMPLE_TEXTS: tuple[str, ...] = tuple(
    text
    for text in (
        str(EXAMPLE_TURN["thinking"]),
        *(str(m["text"]) for m in EXAMPLE_TURN["messages"]),  # type: ignore[attr-defined]
    )
)
"""The worked example's sentences: a turn that copies one has not replied to its own situation."""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


COPY_WORDS = 6
"""A run of this many words in a row shared with the worked example is a copy (a sentence of a real reply
about another workplace does not share six words in a row with a bakery's)."""
_EXAMPLE_RUNS = frozenset(
    tuple(words[i : i + COPY_WORDS])
    for text in EXAMPLE_TEXTS
    for words in [_words(text)]
    for i in range(len(words))
    if i + COPY_WORDS <= len(words)
)


def _copies_example(text: str) -> bool:
    words = _words(text)
    return any(tuple(words[i : i + COPY_WORDS]) in _EXAMPLE_RUNS for i in range(len(words) - COPY_WORDS + 1))


def echoed_template(text: str) -> str | None:
    """What ``text`` echoes of the reply format (a short description with the echoed words), or None.

    >>> echoed_template('{"to": ["<role id>"], "text": "<what you say>"}')
    "a template placeholder ('<role id>')"
    >>> echoed_template("Reply with exactly one JSON object and nothing else.")
    "the prompt's instructions ('Reply with exactly one JSON')"
    >>> echoed_template("string"), echoed_template("The invoices are late; I will tell Greg.")
    ('the reply schema (string)', None)
    >>> echoed_template("The flour delivery slipped two days, so the order will be at risk.")
    "the prompt's worked example (a bakery, not this world)"
    """
    if found := _PLACEHOLDER.search(text):
        return f"a template placeholder ({found.group(0)!r})"
    if found := _SCHEMA_KEY.search(text):
        return f"the reply schema's keys ({found.group(0).strip()!r})"
    if found := _INSTRUCTION.search(text):
        return f"the prompt's instructions ({found.group(0)!r})"
    if text.strip().lower().strip("\"'<>[]{}") in _SCHEMA_WORDS:
        return f"the reply schema ({text.strip()})"
    if _copies_example(text):
        return "the prompt's worked example (a bakery, not this world)"
    return None


def is_placeholder_recipient(recipient: str) -> bool:
    """Whether a message's recipient is the template's slot ("<role id>", "role id", "{recipient}").

    >>> [is_placeholder_recipient(r) for r in ("<role id>", "role_id", "greg", "all")]
    [True, True, False, False]
    """
    text = recipient.strip()
    return bool(re.fullmatch(r"[<{\[].*[>}\]]", text)) or bool(_RECIPIENT_SLOT.match(text))
