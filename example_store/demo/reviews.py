"""Reviews delivered to the store's review webhook, signed like a review service.

A customer who writes a review (after a review-request email) has it posted by
the review service at the next tick: a real HTTP POST to the channel's webhook,
signed the Standard Webhooks way with the channel's secret (the plugin's own
``sign``, as in the README). Before the first genuine delivery, three forged
ones go to the same endpoint (signed with a wrong secret, a body altered after
signing, a stale timestamp) and must be refused with 401, storing nothing; then
the genuine one is sent a second time with its ``webhook-id`` and must change
nothing.
"""

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from example_store.simulation import Extension, Simulation
from saleor_journey_plugin.core.events import EventType, JourneyEventData
from saleor_journey_plugin.reviews.signature import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)

from .channels import REVIEW_SECRETS
from .server import StoreServer

WRONG_SECRET = "whsec_bm90LXRoZS1jaGFubmVsJ3Mtc2VjcmV0LWF0LWFsbA=="
STALE = timedelta(minutes=10)
# Tried before the first genuine delivery, which is then sent a second time.
FORGERIES = ("wrong secret", "tampered body", "stale timestamp")
RATINGS = ((5, 4, 3, 2, 1), (52, 30, 10, 5, 3))
TITLES = {
    5: "Love it",
    4: "Very nice",
    3: "It's fine",
    2: "Not great",
    1: "Disappointed",
}


@dataclass(frozen=True)
class Written:
    channel: str
    email: str
    order: str
    at: datetime


@dataclass
class ReviewDeliveries:
    """What the webhook answered."""

    accepted: Counter[str] = field(default_factory=Counter)  # answer status -> n
    verified: int = 0
    # (what was forged, the HTTP status it got, its webhook-id)
    forged: list[tuple[str, int, str]] = field(default_factory=list)
    redelivered: list[tuple[int, str]] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)  # genuine, not 200


class Reviews(Extension):
    def __init__(self, seed: int, server: StoreServer) -> None:
        self.rng = random.Random(f"reviews:{seed}")
        self.server = server
        self.deliveries = ReviewDeliveries()
        self._products: dict[tuple[str, str], list[str]] = {}
        self._waiting: list[Written] = []
        self._sent = 0

    def after_event(self, simulation: Simulation, data: JourneyEventData) -> None:
        if data.type is EventType.ORDER_PAID and data.channel:
            payload = data.payload or {}
            self._products[data.channel, str(payload["order_id"])] = list(
                payload.get("products") or []
            )

    def write(self, channel: str, email: str, order: str, at: datetime) -> None:
        """A customer writes a review of ``order`` at ``at``; it is posted later."""
        self._waiting.append(Written(channel, email, order, at))

    def on_tick(self, simulation: Simulation, at: datetime) -> None:
        due = [review for review in self._waiting if review.at <= at]
        self._waiting = [review for review in self._waiting if review.at > at]
        for review in due:
            self._deliver(review, at)

    def _deliver(self, review: Written, now: datetime) -> None:
        rating = self.rng.choices(*RATINGS)[0]
        products = self._products.get((review.channel, review.order)) or [""]
        body = json.dumps(
            {
                "review_id": f"rv-{review.channel}-{review.order}",
                "rating": rating,
                "email": review.email,
                "title": TITLES[rating],
                "product": products[0],
                "order": review.order,
                "created_at": review.at.isoformat(),
            }
        ).encode()
        self._sent += 1
        webhook_id = f"msg_{review.channel}_{review.order}"
        timestamp = int(now.timestamp())
        secret = REVIEW_SECRETS[review.channel]
        first = self._sent == 1
        for forgery in FORGERIES if first else ():
            self._forge(forgery, review.channel, webhook_id, timestamp, body)
        status, answer = self._post(review.channel, body, webhook_id, timestamp, secret)
        if status == 200:
            self.deliveries.accepted[answer.get("status", "")] += 1
            self.deliveries.verified += bool(answer.get("verified"))
        else:
            self.deliveries.refused[status] += 1
        if first:
            # The service did not see our answer and sends the message again.
            again, answer = self._post(
                review.channel, body, webhook_id, timestamp + 60, secret
            )
            self.deliveries.redelivered.append((again, str(answer.get("status"))))

    def _forge(
        self, forgery: str, channel: str, webhook_id: str, timestamp: int, body: bytes
    ) -> None:
        forged_id = f"{webhook_id}_forged_{forgery.replace(' ', '_')}"
        secret = REVIEW_SECRETS[channel]
        if forgery == "wrong secret":
            status, _ = self._post(channel, body, forged_id, timestamp, WRONG_SECRET)
        elif forgery == "tampered body":
            # Signed as sent by the service, then altered on the way.
            data = json.loads(body)
            data["rating"] = 1 if data["rating"] != 1 else 5
            altered = json.dumps(data).encode()
            signature = sign(secret, forged_id, timestamp, body)
            status, _ = self._send(channel, altered, forged_id, timestamp, signature)
        else:
            stale = timestamp - int(STALE.total_seconds())
            status, _ = self._post(channel, body, forged_id, stale, secret)
        self.deliveries.forged.append((forgery, status, forged_id))

    def _post(
        self, channel: str, body: bytes, webhook_id: str, timestamp: int, secret: str
    ) -> tuple[int, dict]:
        signature = sign(secret, webhook_id, timestamp, body)
        return self._send(channel, body, webhook_id, timestamp, signature)

    def _send(
        self,
        channel: str,
        body: bytes,
        webhook_id: str,
        timestamp: int,
        signature: str,
    ) -> tuple[int, dict]:
        answer = self.server.request(
            "POST",
            f"/plugins/channel/{channel}/saleor.journey/webhooks/reviews/",
            body=body,
            headers={
                "Content-Type": "application/json",
                ID_HEADER: webhook_id,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signature,
            },
        )
        return answer.status, json.loads(answer.body or b"{}")
