"""The plain-text part of an email whose HTML a store wrote itself."""

import html
import re

from django.utils.html import strip_tags

_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|table)>|<br\s*/?>", re.I)
_HIDDEN = re.compile(r"<(style|head|title)\b.*?</\1>", re.I | re.S)
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def as_text(body: str) -> str:
    """The HTML as text, with its links spelled out."""
    text = _HIDDEN.sub("", body)
    text = _LINK.sub(lambda m: f"{strip_tags(m[2]).strip()}: {m[1]}", text)
    text = _BLOCK_END.sub(lambda m: m[0] + "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def one_line(text: str) -> str:
    """A subject or preview: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(text).split())
