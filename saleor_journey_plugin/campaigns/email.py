"""Rendering a campaign email and handing it to Django's email backend."""

import smtplib

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives

from ..core.host import Host
from . import settings as campaign_settings
from .kinds import CampaignKind, named
from .kinds.base import tagged
from .mail.compose import compose
from .mail.context import Facts
from .mail.text import as_text
from .models import CampaignMessage
from .rules import Send
from .settings import CampaignSettings
from .tokens import click_token, unsubscribe_token

__all__ = ["as_text", "build", "destination", "without_addresses"]


def build(message: CampaignMessage, send: Send, host: Host) -> EmailMultiAlternatives:
    campaigns = campaign_settings.of(send.settings)
    token = unsubscribe_token(message.channel, message.pk)
    unsubscribe_url = host.public_url(message.channel, f"unsubscribe/{token}/")
    composed = compose(
        campaigns,
        named(message.kind),
        _facts(message, send, host, campaigns, unsubscribe_url),
    )
    email = EmailMultiAlternatives(
        subject=composed.subject,
        body=composed.text,
        from_email=campaigns.sender_email or django_settings.DEFAULT_FROM_EMAIL,
        to=[send.email],
        headers={
            # RFC 8058: mail clients offer a one-click unsubscribe that POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(composed.html, "text/html")
    return email


def _facts(
    message: CampaignMessage,
    send: Send,
    host: Host,
    campaigns: CampaignSettings,
    unsubscribe_url: str,
) -> Facts:
    checkout = send.checkout
    # The recipient's account name first: the checkout's billing name was
    # typed by whoever filled it in.
    user_id = send.customer.user_id or ""
    first_name = (host.first_name(user_id) if user_id else "") or (
        checkout.first_name if checkout else ""
    )
    return Facts(
        language=campaigns.language,
        store_name=host.store_name(message.channel),
        first_name=first_name,
        link=host.public_url(message.channel, f"click/{click_token(message.pk)}/"),
        unsubscribe_url=unsubscribe_url,
        checkout=checkout,
        currency=send.settings.currency or "",
        coupon=send.step.coupon,
        coupon_code=message.coupon_code,
        coupon_expires_at=message.coupon_expires_at,
        logo_url=campaigns.email_logo_url,
        postal_address=host.postal_address(message.channel),
        own=named(message.kind).variables(message, send.settings, host),
    )


def destination(
    kind: CampaignKind, subject: str, campaigns: CampaignSettings, product: str = ""
) -> str:
    """Where a click goes: the kind's page of the channel's configured
    storefront (the product's, for a product's link), tagged as the
    campaign's."""
    page = kind.product_link(product, campaigns) if product else None
    return tagged(page or kind.link(subject, campaigns), kind.value)


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
