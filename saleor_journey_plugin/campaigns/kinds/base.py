"""What a campaign kind is: everything the engine asks of one, in one class.

Each kind is a subclass in its own module of this package (found there by
name, see ``__init__.py``), as django-oscar finds its benefit classes through
a map. Defining the class registers it; a class that leaves out a part fails
at import with a TypeError naming what is missing, so a new kind cannot be
half-wired and fall into another kind's branch.

Rows, settings fields, links and the API name a kind by its ``value``; the
engine asks its registered instance (``named``) what to do.
"""

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from ...core.events import EventType
from ...core.fields import Field
from ...core.presets import Language
from ..steps import StepError, parse_steps
from ..templating import SHIPPED_PARTS, TemplateError, check

if TYPE_CHECKING:
    from ...core.host import ChannelSettings, Host
    from ...models import JourneyEvent
    from ..models import CampaignMessage
    from ..settings import CampaignSettings

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# The kind is a column of 32 characters and the start of its field names.
_VALUE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_ATTRIBUTES = (
    "value",
    "label",
    "position",
    "triggers",
    "default_steps",
    "needs_checkout",
    "reschedules",
)

_KINDS: dict[str, "CampaignKind"] = {}


class CampaignKind(ABC):
    # The kind's name in rows, field names, links' utm_campaign and the API.
    value: ClassVar[str]
    # How reports and pages name it.
    label: ClassVar[str]
    # Where it stands in the dashboard, the reports and the API's enum.
    position: ClassVar[int]
    # Journey events that schedule its steps.
    triggers: ClassVar[frozenset[EventType]]
    default_steps: ClassVar[str]
    # Its subject is a store checkout: read before each send (it must still
    # hold lines and no order), its steps count from the checkout's last
    # change, and an order from it is credited to the reminders about it.
    needs_checkout: ClassVar[bool]
    # A later trigger of the same subject moves the steps not sent yet.
    reschedules: ClassVar[bool]
    # The shipped templates: <folder>/<language>/<value>_<part>.hbs.
    templates: ClassVar[Path] = TEMPLATES
    # Only customers with a marketing opt-in get it, whatever the channel's
    # audience: a kind that rests on tracking what they do needs their consent.
    subscribers_only: ClassVar[bool] = False
    # The template variables of its own (``variables``), for the dashboard's help.
    variables_help: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        missing = [name for name in _ATTRIBUTES if not hasattr(cls, name)] + [
            name
            for name in ("subjects", "ended", "link")
            if getattr(getattr(cls, name), "__isabstractmethod__", False)
        ]
        if missing:
            raise TypeError(
                f"Campaign kind {cls.__name__} does not say: {', '.join(missing)}."
            )
        if not _VALUE.fullmatch(cls.value):
            raise TypeError(
                f"Campaign kind {cls.__name__}: value '{cls.value}' must be "
                "lowercase letters, digits and _, at most 32."
            )
        if cls.value in _KINDS:
            raise TypeError(f"Two campaign kinds are called '{cls.value}'.")
        if not cls.triggers:
            raise TypeError(f"Campaign kind {cls.__name__} has no trigger.")
        kind = cls()
        try:
            parse_steps(cls.default_steps)
            for language in Language:
                for part in SHIPPED_PARTS:
                    check(kind.template(part, language))
        except (StepError, TemplateError, OSError) as error:
            raise TypeError(f"Campaign kind {cls.__name__}: {error}") from error
        _KINDS[cls.value] = kind

    @abstractmethod
    def subjects(self, events: Sequence["JourneyEvent"]) -> dict[int, str]:
        """What each trigger event starts the campaign about (event id ->
        subject: a checkout token, an order id...); an event left out
        schedules nothing. Called with a batch of the drain: read set-wise."""

    @abstractmethod
    def ended(self, messages: Sequence["CampaignMessage"]) -> dict[int, str]:
        """Why the customers' own events end each message's campaign (message
        id -> reason; absent: they do not). One batch of this kind's due
        messages, with customers: read set-wise."""

    @abstractmethod
    def link(self, subject: str, campaigns: "CampaignSettings") -> str:
        """Where the email's link goes: a page of the channel's configured
        storefront, never a URL from a request."""

    def product_link(self, slug: str, campaigns: "CampaignSettings") -> str | None:
        """Where a product's link in its emails goes (a storefront page);
        None for a kind whose emails link no products (``link`` then)."""
        return None

    def variables(
        self, message: "CampaignMessage", settings: "ChannelSettings", host: "Host"
    ) -> dict[str, Any]:
        """Template variables of its own for this message's email (read from
        the store at send time), beside the shared ones."""
        return {}

    def fields(self) -> list[Field]:
        """Settings of its own beyond its switch, steps and templates."""
        return []

    def required(self) -> dict[str, str]:
        """Its own URL fields that must be set while it is on (name -> the
        placeholder the URL holds)."""
        return {}

    @property
    def enabled_field(self) -> str:
        return f"{self.value}_enabled"

    @property
    def steps_field(self) -> str:
        return f"{self.value}_steps"

    def template_field(self, part: str) -> str:
        return f"{self.value}_{part}"

    def template(self, part: str, language: Language) -> str:
        """The shipped template of the email's ``part`` (one of SHIPPED_PARTS)."""
        return _read(self.templates / language.value / f"{self.value}_{part}.hbs")

    def __repr__(self) -> str:
        return f"<campaign kind {self.value}>"


@cache
def _read(path: Path) -> str:
    # Shipped files: read once per process, not once per email.
    return path.read_text(encoding="utf-8").strip()


def kinds() -> tuple[CampaignKind, ...]:
    """Every registered kind, in their order."""
    return tuple(sorted(_KINDS.values(), key=lambda kind: kind.position))


def named(value: str) -> CampaignKind:
    """The kind a row or a link names (KeyError for one no module defines)."""
    return _KINDS[value]


def triggered_by(event_type: str) -> tuple[CampaignKind, ...]:
    return tuple(kind for kind in kinds() if event_type in kind.triggers)


def trigger_types() -> list[str]:
    return sorted({trigger.value for kind in kinds() for trigger in kind.triggers})


def checkout_kinds() -> list[str]:
    """The values of the kinds whose subject is a checkout."""
    return [kind.value for kind in kinds() if kind.needs_checkout]


def storefront_page(template: str, placeholder: str, subject: str) -> str:
    """A configured page's URL with the subject in its placeholder."""
    return template.replace(placeholder, quote(subject, safe=""))


def tagged(url: str, kind: str) -> str:
    """A storefront URL tagged as the campaign's (utm parameters), as every
    link of its emails leads."""
    parts = urlsplit(url)
    utm = urlencode(
        {"utm_source": "journey", "utm_medium": "email", "utm_campaign": kind}
    )
    query = f"{parts.query}&{utm}" if parts.query else utm
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def storefront_home(campaigns: "CampaignSettings") -> str:
    """The storefront's home page: the checkout URL's site."""
    parts = urlsplit(campaigns.checkout_url_template)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def keep_latest(
    latest: dict[tuple[str, int | None], datetime],
    key: tuple[str, int | None],
    at: datetime,
) -> None:
    if key not in latest or at > latest[key]:
        latest[key] = at
