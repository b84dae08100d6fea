"""Counting a message's characters the way the person typing sees them (R-MSG-5)."""

from __future__ import annotations


def normalise_newlines(text: str) -> str:
    """CR LF and a lone CR become LF: a line break is one character, as in the browser's
    textarea (which submits CR LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def char_count(text: str) -> int:
    """Characters after newline normalisation; one per Unicode code point, so an emoji such as
    😀 is one character (JavaScript's ``String.length`` would say two)."""
    return len(normalise_newlines(text))
