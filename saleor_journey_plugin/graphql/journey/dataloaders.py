"""What a journey shows, loaded for a whole page at once.

Resolvers ask a loader for one journey's rows and get a promise; graphql-core
resolves the page's other journeys first, so the loader sees all their keys
together and answers them with one query. Loaders live on the request's
context (``graphql.dataloaders.loader``), which keeps their cache to that
request.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from promise import Promise
from promise.dataloader import DataLoader

from ...core import queries
from ...core.stages import Stage
from ...models import JourneyEvent, StageTransition


class HistoryLoader(DataLoader):
    """Journey id -> its stage changes with their cause, oldest first."""

    def batch_load_fn(
        self, journey_ids: Sequence[int]
    ) -> Promise[list[list[StageTransition]]]:
        found = queries.history(journey_ids)
        return Promise.resolve([found.get(pk, []) for pk in journey_ids])


class Touchpoints(NamedTuple):
    customer_id: int
    channel: str
    limit: int
    pain_only: bool


class TouchpointsLoader(DataLoader):
    """Touchpoints key -> the customer's latest events in that channel."""

    def batch_load_fn(
        self, keys: Sequence[Touchpoints]
    ) -> Promise[list[list[JourneyEvent]]]:
        # One query per kind of list asked for (touchpoints(first: 20),
        # painPoints(first: 5), ...), however many journeys ask for it.
        customers: dict[tuple[str, int, bool], list[int]] = defaultdict(list)
        for key in keys:
            customers[key.channel, key.limit, key.pain_only].append(key.customer_id)
        found: dict[Touchpoints, list[JourneyEvent]] = {}
        for (channel, limit, pain_only), ids in customers.items():
            events = queries.touchpoints(ids, channel, limit, pain_only=pain_only)
            for customer_id in ids:
                key = Touchpoints(customer_id, channel, limit, pain_only)
                found[key] = events.get(customer_id, [])
        return Promise.resolve([found[key] for key in keys])


class StageCountsLoader(DataLoader):
    """Channel -> journeys per stage; counted once however many aliases ask."""

    def batch_load_fn(self, channels: Sequence[str]) -> Promise[list[dict[Stage, int]]]:
        return Promise.resolve([queries.stage_counts(channel) for channel in channels])
