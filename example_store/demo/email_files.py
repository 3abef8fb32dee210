"""One campaign email of each kind, as the mail server received it, in a file.

The demo's SMTP server keeps what it received; the first email of each kind
(told by its one-click unsubscribe link, which names its campaign message) is
written as an HTML page a person can open in a browser.
"""

import html
import os
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

from django.conf import settings

from saleor_journey_plugin.campaigns.models import CampaignMessage
from saleor_journey_plugin.campaigns.tokens import InvalidToken, read_unsubscribe_token

from .mail import Mailbox

ENVIRONMENT = "EXAMPLE_STORE_DEMO_EMAILS"


def folder() -> Path:
    """``EXAMPLE_STORE_DEMO_EMAILS``, else ``example_store/demo_emails``."""
    found = os.environ.get(ENVIRONMENT, "").strip()
    return Path(found) if found else Path(settings.BASE_DIR) / "demo_emails"


def write_email_files(mailbox: Mailbox, to: Path) -> dict[str, Path]:
    """Kind -> the file its first received email went to (none: not received)."""
    first: dict[str, Message] = {}
    for received in mailbox.messages:
        kind = _kind(received)
        if kind and kind not in first:
            first[kind] = received
    written = {}
    if first:
        to.mkdir(parents=True, exist_ok=True)
    for kind, received in sorted(first.items()):
        path = to / f"{kind}.html"
        path.write_text(_page(received), encoding="utf-8")
        written[kind] = path
    return written


def _kind(received: Message) -> str:
    link = str(received.get("List-Unsubscribe", "")).strip().strip("<>")
    token = link.partition("/unsubscribe/")[2].strip("/")
    try:
        message_id = read_unsubscribe_token(token).message_id
    except InvalidToken:
        return ""
    found = CampaignMessage.objects.filter(pk=message_id).values_list("kind", flat=True)
    return found.first() or ""


def _page(received: Message) -> str:
    body = ""
    for part in received.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            body = payload.decode(part.get_content_charset() or "utf-8")
            break
    if body.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return body
    subject = html.escape(_subject(received))
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{subject}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


def _subject(received: Message) -> str:
    return str(make_header(decode_header(str(received.get("Subject", "")))))
