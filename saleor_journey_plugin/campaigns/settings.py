"""The campaign fields of a channel's settings, and what they make.

The names are the dashboard's (stores script them). Each kind contributes its
switch, its steps, its subject and body templates, and fields of its own
(``CampaignKind.fields``). An empty subject or body means the template
shipped for the channel's label language.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..core.fields import (
    Field,
    FieldError,
    FieldKind,
    Section,
    boolean,
    http_url,
    one_of,
    read,
    sender_address,
    whole_number,
)
from ..core.host import ChannelSettings
from ..core.journey_fields import LANGUAGE
from ..core.presets import Language
from . import templating
from .kinds import CampaignKind, kinds
from .steps import Step, StepError, parse_steps

AUDIENCE = "audience"
ALL = "all"
SUBSCRIBERS_ONLY = "subscribers_only"
COUPON_VALID_DAYS = "coupon_valid_days"
MIN_HOURS_BETWEEN_EMAILS = "min_hours_between_emails"
QUIET_HOURS = "quiet_hours"
ATTRIBUTION_DAYS = "attribution_days"
CHECKOUT_URL_TEMPLATE = "checkout_url_template"
SENDER_EMAIL = "sender_email"
EMAIL_LOGO_URL = "email_logo_url"
_QUIET_HOURS = re.compile(r"([0-9]{1,2})\s*-\s*([0-9]{1,2})")
_TEMPLATE_VARIABLES = (
    "store_name, customer_name (empty when unknown), preview, lines (name, "
    "variant_name, image_url, quantity, price, line_total), more_lines, total, "
    "currency, link, coupon_code, coupon_discount, coupon_expiry, "
    "unsubscribe_url, logo_url, postal_address"
)


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


def _default_steps() -> dict[CampaignKind, tuple[Step, ...]]:
    return {kind: parse_steps(kind.default_steps) for kind in kinds()}


@dataclass(frozen=True)
class CampaignSettings:
    enabled: frozenset[CampaignKind] = frozenset()
    steps: Mapping[CampaignKind, tuple[Step, ...]] = field(
        default_factory=_default_steps
    )
    coupon_valid_days: int = 7
    audience: str = ALL
    min_hours_between_emails: int = 24
    quiet_hours: QuietHours | None = None
    attribution_days: int = 7
    checkout_url_template: str = ""
    sender_email: str = ""
    email_logo_url: str = ""
    language: Language = Language.EN
    templates: Mapping[str, str] = field(default_factory=dict)
    # The kinds' own fields (``CampaignKind.fields``), by name.
    options: Mapping[str, Any] = field(default_factory=dict)

    def template(self, kind: CampaignKind, part: str) -> str:
        return self.templates.get(kind.template_field(part)) or kind.template(
            part, self.language
        )


# A channel whose host gives no campaign settings runs no campaign.
NONE = CampaignSettings()


def of(channel: ChannelSettings) -> CampaignSettings:
    """The channel's campaign settings (all kinds off where the host has none)."""
    return channel.campaigns or NONE


# -- Fields --------------------------------------------------------------------
def _steps(text: str, noun: str) -> tuple[Step, ...]:
    try:
        return parse_steps(text)
    except StepError as error:
        raise FieldError(str(error)) from error


def _template(text: str, noun: str) -> str:
    if text.strip():
        try:
            templating.check(text)
        except templating.TemplateError as error:
            raise FieldError(
                f"{error}. Write Handlebars, e.g. 'Hello {{{{customer_name}}}}'."
            ) from error
    return text


def _quiet_hours(text: str, noun: str) -> QuietHours | None:
    if not text:
        return None
    match = _QUIET_HOURS.fullmatch(text)
    start, end = (int(match[1]), int(match[2])) if match else (0, 0)
    if start > 23 or end > 23 or start == end:
        raise FieldError(
            f"Cannot read quiet hours '{text}'; write start-end hours from 0 to "
            "23, e.g. 21-9, or leave it empty."
        )
    return QuietHours(start, end)


def _named(kind: CampaignKind) -> str:
    return kind.value.replace("_", " ")


def _switch(kind: CampaignKind) -> Field:
    return Field(
        kind.enabled_field,
        default="false",
        label=f"Campaign: {_named(kind)}",
        help=f"Send the {_named(kind)} emails in this channel.",
        parse=boolean,
        kind=FieldKind.BOOLEAN,
    )


def _steps_field(kind: CampaignKind) -> Field:
    return Field(
        kind.steps_field,
        default=kind.default_steps,
        label=f"{_named(kind).capitalize()} steps",
        help="When to send, counted from the trigger: comma-separated delays in "
        "m, h or d, each with an optional coupon (:10% or :5 in the channel "
        f"currency). Default '{kind.default_steps}'.",
        parse=_steps,
    )


def _template_field(kind: CampaignKind, part: str) -> Field:
    return Field(
        kind.template_field(part),
        default="",
        label=f"{_named(kind).capitalize()} {part}",
        help=f"Handlebars template of the email's {part}; empty uses the shipped "
        "English or Korean one (by label language). Variables: "
        f"{_TEMPLATE_VARIABLES}.",
        parse=_template,
        kind=FieldKind.MULTILINE,
    )


_SHARED = (
    Field(
        COUPON_VALID_DAYS,
        default="7",
        label="Coupon valid (days)",
        help="How long a coupon code works: 1-365.",
        parse=whole_number(1, 365),
    ),
    Field(
        AUDIENCE,
        default=ALL,
        label="Campaign audience",
        help="all, or subscribers_only: only customers with a marketing opt-in.",
        parse=one_of(
            lambda: (ALL, SUBSCRIBERS_ONLY),
            f"Unknown audience '{{value}}'; use {ALL} or {SUBSCRIBERS_ONLY}.",
        ),
        choices=(ALL, SUBSCRIBERS_ONLY),
    ),
    Field(
        MIN_HOURS_BETWEEN_EMAILS,
        default="24",
        label="Hours between campaign emails",
        help="At most one campaign email per customer in this many hours, across "
        "kinds (0 turns the cap off). Default 24.",
        parse=whole_number(0, 720),
    ),
    Field(
        QUIET_HOURS,
        default="",
        label="Quiet hours",
        help="Hours of the channel's time zone when no email leaves, e.g. 21-9; "
        "a send due then waits for the end. Empty: none.",
        parse=_quiet_hours,
    ),
    Field(
        ATTRIBUTION_DAYS,
        default="7",
        label="Attribution window (days)",
        help="An order within this many days after a campaign email is credited "
        "to it: 1-90.",
        parse=whole_number(1, 90),
    ),
    Field(
        CHECKOUT_URL_TEMPLATE,
        default="",
        label="Checkout URL",
        help="The storefront's checkout page with {token}, e.g. "
        "https://shop.example.com/checkout?token={token}. Required when a "
        "campaign is on.",
        parse=http_url("{token}"),
    ),
)
_SENDER = Field(
    SENDER_EMAIL,
    default="",
    label="Sender email",
    help="The From address of campaign emails. Empty: the store's default.",
    parse=sender_address,
)
_LOGO = Field(
    EMAIL_LOGO_URL,
    default="",
    label="Email logo URL",
    help="The image at the top of campaign emails (http(s) URL; shown 40 px "
    "high, up to 160 px wide). Empty: the store's name in text.",
    parse=http_url(of="an image"),
)


def fields() -> list[Field]:
    """Every campaign field, in the dashboard's order."""
    every = kinds()
    return [
        *(_switch(kind) for kind in every),
        *(_steps_field(kind) for kind in every),
        *_SHARED,
        *(own for kind in every for own in kind.fields()),
        _SENDER,
        _LOGO,
        *(_template_field(kind, part) for kind in every for part in templating.PARTS),
    ]


# What the dashboard shows for the kinds defined at import.
DEFAULTS: dict[str, str] = {found.name: found.default for found in fields()}


def _links(kind: CampaignKind) -> dict[str, str]:
    """The URL fields a kind's emails need: every link is counted through the
    checkout page's site, and some kinds need a page of their own."""
    return {CHECKOUT_URL_TEMPLATE: "{token}", **kind.required()}


def check(values: Mapping[str, Any]) -> dict[str, str]:
    """A URL a kind that is on needs, left empty."""
    found = {}
    for kind in kinds():
        if values[kind.enabled_field]:
            for name, placeholder in _links(kind).items():
                if not values[name]:
                    found[name] = (
                        f"{name} is required when a campaign is on: an http(s) "
                        f"URL with {placeholder}."
                    )
    return found


def build(values: Mapping[str, Any]) -> dict[str, Any]:
    """A kind whose links cannot be made (a URL missing or bad) stays off."""
    every = kinds()
    own = {found.name for kind in every for found in kind.fields()}
    return {
        "campaigns": CampaignSettings(
            enabled=frozenset(
                kind
                for kind in every
                if values[kind.enabled_field]
                and all(values[name] for name in _links(kind))
            ),
            steps={kind: values[kind.steps_field] for kind in every},
            coupon_valid_days=values[COUPON_VALID_DAYS],
            audience=values[AUDIENCE],
            min_hours_between_emails=values[MIN_HOURS_BETWEEN_EMAILS],
            quiet_hours=values[QUIET_HOURS],
            attribution_days=values[ATTRIBUTION_DAYS],
            checkout_url_template=values[CHECKOUT_URL_TEMPLATE],
            sender_email=values[SENDER_EMAIL],
            email_logo_url=values[EMAIL_LOGO_URL],
            language=Language(values[LANGUAGE]),
            templates={
                name: values[name]
                for kind in every
                for part in templating.PARTS
                if (name := kind.template_field(part)) and values[name].strip()
            },
            options={name: values[name] for name in own},
        )
    }


SECTION = Section("campaigns", fields, build, check)


def errors(raw: Mapping[str, object]) -> dict[str, str]:
    """Field name -> what is wrong and what is allowed, for every bad value."""
    values, found = read(fields(), raw)
    return {**check(values), **found}
