"""Review request: ask for a review of a fulfilled order."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...core.events import EventType
from ...core.fields import Field, http_url
from ...models import JourneyEvent
from ..models import CampaignMessage
from .base import CampaignKind, named, storefront_home, storefront_page

if TYPE_CHECKING:
    from ..settings import CampaignSettings

REVIEW_URL_TEMPLATE = "review_url_template"


class ReviewRequest(CampaignKind):
    value = "review_request"
    label = "Review request"
    position = 3
    triggers = frozenset({EventType.ORDER_FULFILLED})
    default_steps = "7d"
    needs_checkout = False
    reschedules = False

    def subjects(self, events: Sequence[JourneyEvent]) -> dict[int, str]:
        return {
            event.pk: str(order)
            for event in events
            if (order := (event.payload or {}).get("order_id"))
        }

    def ended(self, messages: Sequence[CampaignMessage]) -> dict[int, str]:
        # Only a review of that very order (its id in the payload).
        reviewed: set[tuple[str, int | None, str]] = set()
        for channel, customer_id, payload in JourneyEvent.objects.filter(
            channel__in=sorted({m.channel for m in messages}),
            customer_id__in=sorted({m.customer_id for m in messages if m.customer_id}),
            type=EventType.REVIEW_SUBMITTED.value,
        ).values_list("channel", "customer_id", "payload"):
            if isinstance(payload, dict):
                for key in ("order_id", "order"):
                    if isinstance(payload.get(key), str):
                        reviewed.add((channel, customer_id, payload[key]))
        return {
            m.pk: "The customer reviewed the order."
            for m in messages
            if (m.channel, m.customer_id, m.subject) in reviewed
        }

    def link(self, subject: str, campaigns: "CampaignSettings") -> str:
        page = campaigns.options.get(REVIEW_URL_TEMPLATE, "")
        if not page:
            return storefront_home(campaigns)
        return storefront_page(page, "{order}", subject)

    def fields(self) -> list[Field]:
        return [
            Field(
                REVIEW_URL_TEMPLATE,
                default="",
                label="Review URL",
                help="The storefront's review page with {order}, e.g. "
                "https://shop.example.com/orders/{order}/review. Required for "
                "review requests.",
                parse=http_url("{order}"),
            )
        ]

    def required(self) -> dict[str, str]:
        return {REVIEW_URL_TEMPLATE: "{order}"}


REVIEW_REQUEST = named(ReviewRequest.value)
