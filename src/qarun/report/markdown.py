"""Platform text made inert in GitHub-flavoured Markdown: it cannot break a table, open
HTML, link, or mention anyone, and stays readable."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Control characters and bidi overrides: invisible, or able to disguise text.
_INVISIBLE = (
    *(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"),
    "\x7f",
    *(chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]),
)
# In this order: backslashes first (the rest add some), `&` before the entities that
# use it, line breaks after `<`. Chained `str.replace` is ten times faster than `translate`.
_MD_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("\\", "\\\\"),
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    # `:` too: GitHub links a bare `https://…` by itself, and would swallow the escapes.
    *((char, "\\" + char) for char in "`*[]()#~!$|:"),
    # A zero-width space after `@` keeps GitHub from turning text into a mention.
    ("@", "@\u200b"),
    ("\r\n", "<br>"),
    ("\r", "<br>"),
    ("\n", "<br>"),
    ("\t", " "),
    *((char, "") for char in _INVISIBLE),
)
_CODE_REPLACEMENTS: tuple[tuple[str, str], ...] = (("\t", " "), *((c, "") for c in _INVISIBLE))
# `_` between letters or digits never marks emphasis: left bare, `snake_case` stays
# readable in the source and a secret like `sk_live_…` stays recognisable to masking.
_UNDERSCORES = re.compile(r"_+")
# GitHub links a bare `www.host` too; an escaped dot stops it.
_BARE_WWW = re.compile(r"(www)\.", re.IGNORECASE)
# A code span on one line; the split keeps its content as every second part.
_CODE_SPAN = re.compile(r"`([^`\r\n]+)`")
# List markers that would act when the text opens a list item: `- x`, `+ x`, `1. x`.
_LEADING_BULLET = re.compile(r"^[-+]")
_LEADING_NUMBER = re.compile(r"^(\d+)\.")


def escape_md(text: str) -> str:
    """Untrusted text as inert Markdown: one line, no markup, no HTML, no mention."""
    return _safe_start(_escape(text.strip()))


def escape_with_code(text: str) -> str:
    """Like `escape_md`, but `code` spans stay code: qarun's own sentences name inputs so.

    Inside a code span nothing is markup, links or mentions, so only line
    breaks and control characters need to go. Not for table cells, where a
    `|` inside a code span would still split the cell.
    """
    # Invisible characters go before the split: one left inside a span would empty it once
    # removed, and an empty pair of backticks would join the next span's into an unmatched run.
    visible = _replace_all(text, ((char, "") for char in _INVISIBLE)).strip()
    parts = _CODE_SPAN.split(visible)
    # The split alternates text and code spans: odd parts are the spans' insides.
    return _safe_start("".join(_part(part, index % 2 == 1) for index, part in enumerate(parts)))


def _part(part: str, in_code: bool) -> str:
    """Plain text escaped; a code span kept as code, but a blank one escaped as plain text,
    backticks and all: never an empty span."""
    if not in_code:
        return _escape(part)
    if not part.strip():
        return _escape(f"`{part}`")
    return f"`{_replace_all(part, _CODE_REPLACEMENTS)}`"


def _escape(text: str) -> str:
    text = _replace_all(text, _MD_REPLACEMENTS)
    if "_" in text:
        text = _UNDERSCORES.sub(_escape_underscores, text)
    if "w." in text or "W." in text:
        text = _BARE_WWW.sub(r"\1\\.", text)
    return text


def _replace_all(text: str, replacements: Iterable[tuple[str, str]]) -> str:
    for old, new in replacements:
        if old in text:
            text = text.replace(old, new)
    return text


def _escape_underscores(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    inside_word = (
        start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    )
    return match.group() if inside_word else match.group().replace("_", "\\_")


def _safe_start(escaped: str) -> str:
    # Stripped again: a dropped control character may have led spaces (an indented code block).
    escaped = escaped.strip()
    # A backslash escapes only punctuation, so the dash or the dot gets it.
    escaped = _LEADING_BULLET.sub(r"\\\g<0>", escaped)
    return _LEADING_NUMBER.sub(r"\1\\.", escaped)


_BACKTICK_RUNS = re.compile(r"`+")


def code_block(text: str) -> list[str]:
    """A fence longer than any run of backticks inside, so the text cannot close it."""
    longest = max((len(run) for run in _BACKTICK_RUNS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text.replace("\r\n", "\n").replace("\r", "\n"), fence]
