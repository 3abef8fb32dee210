"""Rendering a campaign email and handing it to Django's email backend."""

import html
import re
import smtplib
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.utils.html import strip_tags

from ..core.host import Host
from . import settings as campaign_settings
from . import templating
from .kinds import CampaignKind, named
from .models import CampaignMessage
from .rules import Send
from .settings import CampaignSettings
from .tokens import click_token, unsubscribe_token

_LINK = re.compile(r"<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", re.I | re.S)
_BLOCK_END = re.compile(r"</(p|div|h[1-6]|li|tr|table)>|<br\s*/?>", re.I)
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def build(message: CampaignMessage, send: Send, host: Host) -> EmailMultiAlternatives:
    campaigns = campaign_settings.of(send.settings)
    kind = named(message.kind)
    token = unsubscribe_token(message.channel, message.pk)
    unsubscribe_url = host.public_url(message.channel, f"unsubscribe/{token}/")
    context = _context(message, send, host, unsubscribe_url)
    subject = " ".join(
        html.unescape(render(campaigns, kind, "subject", context)).split()
    )
    body = render(campaigns, kind, "body", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=as_text(body),
        from_email=campaigns.sender_email or django_settings.DEFAULT_FROM_EMAIL,
        to=[send.email],
        headers={
            # RFC 8058: mail clients offer a one-click unsubscribe that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(body, "text/html")
    return email


def render(
    campaigns: CampaignSettings, kind: CampaignKind, part: str, context: dict[str, Any]
) -> str:
    return templating.render(campaigns.template(kind, part), context)


def _context(
    message: CampaignMessage, send: Send, host: Host, unsubscribe_url: str
) -> dict[str, Any]:
    checkout = send.checkout
    currency = (checkout.currency if checkout else "") or send.settings.currency or ""
    coupon = send.step.coupon
    return {
        "store_name": host.store_name(message.channel),
        "customer_name": _name(send.email),
        "lines": [
            {
                "name": line.name,
                "quantity": line.quantity,
                "price": _money(line.price),
                "subtotal": _money(line.price * line.quantity),
            }
            for line in (checkout.lines if checkout else ())
        ],
        "total": _money(checkout.total) if checkout else "",
        "currency": currency,
        "link": host.public_url(message.channel, f"click/{click_token(message.pk)}/"),
        "coupon_code": message.coupon_code,
        "coupon_discount": (
            ""
            if coupon is None
            else f"{coupon.value.normalize():f}%"
            if coupon.percentage
            else f"{_money(coupon.value)} {currency}".strip()
        ),
        "coupon_expiry": _date(message.coupon_expires_at),
        "unsubscribe_url": unsubscribe_url,
    }


def _name(email: str) -> str:
    # Stores rarely know a guest's name; the address's local part reads better
    # than nothing ("jane.doe" -> "Jane Doe").
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._+-]+", local) if part)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def as_text(body: str) -> str:
    """The plain-text part: the HTML with its links spelled out."""
    text = _LINK.sub(lambda m: f"{strip_tags(m[2]).strip()}: {m[1]}", body)
    text = _BLOCK_END.sub(lambda m: m[0] + "\n", text)
    text = html.unescape(strip_tags(text))
    lines = [line.strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


def destination(kind: CampaignKind, subject: str, campaigns: CampaignSettings) -> str:
    """Where a click goes: the kind's page of the channel's configured
    storefront, tagged as the campaign's."""
    url = kind.link(subject, campaigns)
    parts = urlsplit(url)
    utm = urlencode(
        {"utm_source": "journey", "utm_medium": "email", "utm_campaign": kind.value}
    )
    query = f"{parts.query}&{utm}" if parts.query else utm
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def without_addresses(error: Exception) -> str:
    """What went wrong, for the logs: the error's type and SMTP reply codes.

    Never its text: a mail server's refusal names the recipients
    (``SMTPRecipientsRefused`` maps each address to its reply), and logs are
    out of an erasure's reach. The row's ``last_error`` keeps the full text;
    erasing the customer blanks it.
    """
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    return " ".join([type(error).__name__, *map(str, codes)])
