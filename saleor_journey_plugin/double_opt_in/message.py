"""The confirmation email: the campaigns' Handlebars rendering and plain-text
part, in the channel's label language, with the signed link."""

import html
from functools import cache
from pathlib import Path

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives

from ..campaigns import settings as campaign_settings
from ..campaigns import templating
from ..campaigns.email import as_text
from ..core import consent
from ..core.host import Host
from ..core.presets import Language
from ..models import JourneyEvent

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The plugin's path the link opens; the plugin (Saleor) and the example
# store's URLs route it to ``views.confirm``.
LINK = "confirm-opt-in"


def link_path(request_id: int) -> str:
    return f"{LINK}/{consent.confirmation_token(request_id)}/"


@cache
def template(language: Language, part: str) -> str:
    return (TEMPLATES / language.value / f"{part}.hbs").read_text("utf-8").strip()


def build(request: JourneyEvent, address: str, host: Host) -> EmailMultiAlternatives:
    settings = host.channel_settings(request.channel)
    language = settings.language if settings else Language.EN
    context = {
        "store_name": host.store_name(request.channel),
        "link": host.public_url(request.channel, link_path(request.pk)),
        "valid_days": consent.VALID_FOR.days,
    }
    subject = " ".join(
        html.unescape(templating.render(template(language, "subject"), context)).split()
    )
    body = templating.render(template(language, "body"), context)
    sender = campaign_settings.of(settings).sender_email if settings else ""
    email = EmailMultiAlternatives(
        subject=subject,
        body=as_text(body),
        from_email=sender or django_settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    email.attach_alternative(body, "text/html")
    return email
