"""The campaign fields of a channel's settings: names, defaults, validation.

The names are the dashboard's (stores script them). An empty subject or body
means the template shipped for the channel's label language.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from ..core.host import ChannelSettings
from ..core.presets import Language
from . import templating
from .kinds import KINDS, Kind
from .steps import Step, StepError, parse_steps

AUDIENCE = "audience"
ALL = "all"
SUBSCRIBERS_ONLY = "subscribers_only"
COUPON_VALID_DAYS = "coupon_valid_days"
MIN_HOURS_BETWEEN_EMAILS = "min_hours_between_emails"
QUIET_HOURS = "quiet_hours"
ATTRIBUTION_DAYS = "attribution_days"
CHECKOUT_URL_TEMPLATE = "checkout_url_template"
REVIEW_URL_TEMPLATE = "review_url_template"
SENDER_EMAIL = "sender_email"
EMAIL_LOGO_URL = "email_logo_url"


def enabled_field(kind: Kind) -> str:
    return f"{kind.value}_enabled"


def steps_field(kind: Kind) -> str:
    return f"{kind.value}_steps"


def template_field(kind: Kind, part: str) -> str:
    return f"{kind.value}_{part}"


DEFAULTS: dict[str, str] = {
    **{enabled_field(kind): "false" for kind in Kind},
    **{steps_field(kind): KINDS[kind].default_steps for kind in Kind},
    COUPON_VALID_DAYS: "7",
    AUDIENCE: ALL,
    MIN_HOURS_BETWEEN_EMAILS: "24",
    QUIET_HOURS: "",
    ATTRIBUTION_DAYS: "7",
    CHECKOUT_URL_TEMPLATE: "",
    REVIEW_URL_TEMPLATE: "",
    SENDER_EMAIL: "",
    EMAIL_LOGO_URL: "",
    **{template_field(k, part): "" for k in Kind for part in templating.PARTS},
}
BOOLEAN_FIELDS = frozenset(enabled_field(kind) for kind in Kind)
MULTILINE_FIELDS = frozenset(
    template_field(kind, part) for kind in Kind for part in templating.PARTS
)
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
_QUIET_HOURS = re.compile(r"([0-9]{1,2})\s*-\s*([0-9]{1,2})")
_BOOLEANS = {"true": True, "false": False}
_URL = re.compile(r"https?://[^\s/{}]+(/[^\s]*)?")
_LIMITS = {
    COUPON_VALID_DAYS: (1, 365),
    MIN_HOURS_BETWEEN_EMAILS: (0, 720),
    ATTRIBUTION_DAYS: (1, 90),
}

HELP: dict[str, tuple[str, str]] = {
    **{
        enabled_field(kind): (
            f"Campaign: {kind.value.replace('_', ' ')}",
            f"Send the {kind.value.replace('_', ' ')} emails in this channel.",
        )
        for kind in Kind
    },
    **{
        steps_field(kind): (
            f"{kind.value.replace('_', ' ').capitalize()} steps",
            "When to send, counted from the trigger: comma-separated delays "
            "in m, h or d, each with an optional coupon "
            f"(:10% or :5 in the channel currency). Default "
            f"'{KINDS[kind].default_steps}'.",
        )
        for kind in Kind
    },
    COUPON_VALID_DAYS: ("Coupon valid (days)", "How long a coupon code works: 1-365."),
    AUDIENCE: (
        "Campaign audience",
        "all, or subscribers_only: only customers with a marketing opt-in.",
    ),
    MIN_HOURS_BETWEEN_EMAILS: (
        "Hours between campaign emails",
        "At most one campaign email per customer in this many hours, across "
        "kinds (0 turns the cap off). Default 24.",
    ),
    QUIET_HOURS: (
        "Quiet hours",
        "Hours of the channel's time zone when no email leaves, e.g. 21-9; "
        "a send due then waits for the end. Empty: none.",
    ),
    ATTRIBUTION_DAYS: (
        "Attribution window (days)",
        "An order within this many days after a campaign email is credited to "
        "it: 1-90.",
    ),
    CHECKOUT_URL_TEMPLATE: (
        "Checkout URL",
        "The storefront's checkout page with {token}, e.g. "
        "https://shop.example.com/checkout?token={token}. Required when a "
        "campaign is on.",
    ),
    REVIEW_URL_TEMPLATE: (
        "Review URL",
        "The storefront's review page with {order}, e.g. "
        "https://shop.example.com/orders/{order}/review. Required for review "
        "requests.",
    ),
    SENDER_EMAIL: (
        "Sender email",
        "The From address of campaign emails. Empty: the store's default.",
    ),
    EMAIL_LOGO_URL: (
        "Email logo URL",
        "The image at the top of campaign emails (http(s) URL; shown 40 px "
        "high, up to 160 px wide). Empty: the store's name in text.",
    ),
    **{
        template_field(kind, part): (
            f"{kind.value.replace('_', ' ').capitalize()} {part}",
            f"Handlebars template of the email's {part}; empty uses the shipped "
            "English or Korean one (by label language). Variables: store_name, "
            "customer_name (empty when unknown), preview, lines (name, "
            "variant_name, image_url, quantity, price, line_total), more_lines, "
            "total, currency, link, coupon_code, coupon_discount, coupon_expiry, "
            "unsubscribe_url, logo_url, postal_address.",
        )
        for kind in Kind
        for part in templating.PARTS
    },
}


@dataclass(frozen=True)
class QuietHours:
    start: int
    end: int

    def contains(self, hour: int) -> bool:
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end

    def end_after(self, moment: datetime, time_zone: str) -> datetime:
        """When the window holding ``moment`` ends (``moment`` if outside it)."""
        local = moment.astimezone(ZoneInfo(time_zone))
        if not self.contains(local.hour):
            return moment
        end = local.replace(hour=self.end, minute=0, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


@dataclass(frozen=True)
class CampaignSettings:
    enabled: frozenset[Kind] = frozenset()
    steps: Mapping[Kind, tuple[Step, ...]] = field(
        default_factory=lambda: {k: parse_steps(KINDS[k].default_steps) for k in Kind}
    )
    coupon_valid_days: int = 7
    audience: str = ALL
    min_hours_between_emails: int = 24
    quiet_hours: QuietHours | None = None
    attribution_days: int = 7
    checkout_url_template: str = ""
    review_url_template: str = ""
    sender_email: str = ""
    email_logo_url: str = ""
    language: Language = Language.EN
    templates: Mapping[str, str] = field(default_factory=dict)

    def template(self, kind: Kind, part: str) -> str:
        return self.templates.get(
            template_field(kind, part)
        ) or templating.default_template(kind, part, self.language)


# A channel whose host gives no campaign settings runs no campaign.
NONE = CampaignSettings()


def of(channel: ChannelSettings) -> CampaignSettings:
    """The channel's campaign settings (all kinds off where the host has none)."""
    return channel.campaigns or NONE


def _values(raw: Mapping[str, object]) -> dict[str, str]:
    values = dict(DEFAULTS)
    for name, value in raw.items():
        if name in DEFAULTS and value not in (None, ""):
            text = str(value)
            values[name] = text if name in MULTILINE_FIELDS else text.strip()
    return values


def errors(raw: Mapping[str, object]) -> dict[str, str]:
    """Field name -> what is wrong and what is allowed, for every bad value."""
    values = _values(raw)
    found: dict[str, str] = {}
    for kind in Kind:
        name = enabled_field(kind)
        if values[name].lower() not in _BOOLEANS:
            found[name] = f"{name} must be true or false, got '{values[name]}'."
        try:
            parse_steps(values[steps_field(kind)])
        except StepError as error:
            found[steps_field(kind)] = str(error)
        for part in templating.PARTS:
            name = template_field(kind, part)
            if values[name].strip():
                try:
                    templating.check(values[name])
                except templating.TemplateError as error:
                    found[name] = (
                        f"{error}. Write Handlebars, e.g. "
                        "'Hello {{customer_name}}'."
                    )
    for name, (low, high) in _LIMITS.items():
        if not _WHOLE_NUMBER.fullmatch(values[name]) or not (
            low <= int(values[name]) <= high
        ):
            found[name] = (
                f"{name} must be a whole number from {low} to {high}, "
                f"got '{values[name]}'."
            )
    if values[AUDIENCE] not in (ALL, SUBSCRIBERS_ONLY):
        found[AUDIENCE] = (
            f"Unknown audience '{values[AUDIENCE]}'; use {ALL} or {SUBSCRIBERS_ONLY}."
        )
    if values[QUIET_HOURS] and _quiet_hours(values[QUIET_HOURS]) is None:
        found[QUIET_HOURS] = (
            f"Cannot read quiet hours '{values[QUIET_HOURS]}'; write start-end "
            "hours from 0 to 23, e.g. 21-9, or leave it empty."
        )
    enabled = {k for k in Kind if values[enabled_field(k)].lower() == "true"}
    for name, placeholder, required in (
        (CHECKOUT_URL_TEMPLATE, "{token}", bool(enabled)),
        (REVIEW_URL_TEMPLATE, "{order}", Kind.REVIEW_REQUEST in enabled),
    ):
        url = values[name]
        if not url and required:
            found[name] = (
                f"{name} is required when a campaign is on: an http(s) URL "
                f"with {placeholder}."
            )
        elif url and (not _URL.fullmatch(url) or placeholder not in url):
            found[name] = (
                f"{name} must be an http(s) URL with {placeholder}, got '{url}'."
            )
    logo = values[EMAIL_LOGO_URL]
    if logo and not _URL.fullmatch(logo):
        found[EMAIL_LOGO_URL] = (
            f"{EMAIL_LOGO_URL} must be an http(s) URL of an image, got '{logo}'."
        )
    if values[SENDER_EMAIL] and not _is_sender(values[SENDER_EMAIL]):
        found[SENDER_EMAIL] = (
            "sender_email must be an email address, optionally with a name "
            f"('Shop <shop@example.com>'), got '{values[SENDER_EMAIL]}'."
        )
    return found


def _is_sender(text: str) -> bool:
    _, address = parseaddr(text)
    try:
        EmailValidator()(address)
    except ValidationError:
        return False
    return "\n" not in text and "\r" not in text


def _quiet_hours(text: str) -> QuietHours | None:
    match = _QUIET_HOURS.fullmatch(text.strip())
    if match is None:
        return None
    start, end = int(match[1]), int(match[2])
    if start > 23 or end > 23 or start == end:
        return None
    return QuietHours(start, end)


def campaign_settings(
    raw: Mapping[str, object], language: Language = Language.EN
) -> CampaignSettings:
    """Settings from saved values; a stale bad value gets its default.

    A kind whose links cannot be made (no checkout or review URL) stays off.
    """
    values = _values(raw)
    bad = errors(raw)
    for name in bad:
        values[name] = DEFAULTS[name]
    enabled = frozenset(k for k in Kind if values[enabled_field(k)].lower() == "true")
    if CHECKOUT_URL_TEMPLATE in bad or not values[CHECKOUT_URL_TEMPLATE]:
        enabled = frozenset()
    if REVIEW_URL_TEMPLATE in bad or not values[REVIEW_URL_TEMPLATE]:
        enabled -= {Kind.REVIEW_REQUEST}
    return CampaignSettings(
        enabled=enabled,
        steps={k: parse_steps(values[steps_field(k)]) for k in Kind},
        coupon_valid_days=int(values[COUPON_VALID_DAYS]),
        audience=values[AUDIENCE],
        min_hours_between_emails=int(values[MIN_HOURS_BETWEEN_EMAILS]),
        quiet_hours=_quiet_hours(values[QUIET_HOURS]) if values[QUIET_HOURS] else None,
        attribution_days=int(values[ATTRIBUTION_DAYS]),
        checkout_url_template=values[CHECKOUT_URL_TEMPLATE],
        review_url_template=values[REVIEW_URL_TEMPLATE],
        sender_email=values[SENDER_EMAIL],
        email_logo_url=values[EMAIL_LOGO_URL],
        language=language,
        templates={
            name: values[name] for name in MULTILINE_FIELDS if values[name].strip()
        },
    )
