"""DataLoaders kept on the request's context, one per class.

A loader batches the keys its resolvers ask for while graphql-core resolves a
page, and answers them together; kept on the context, its cache lasts one
request.
"""

from typing import TypeVar

from promise.dataloader import DataLoader

from .context import JourneyContext

L = TypeVar("L", bound=DataLoader)


def loader(context: JourneyContext, kind: type[L]) -> L:
    """The request's one ``kind`` loader."""
    found = context.loaders.get(kind)
    if found is None:
        found = context.loaders[kind] = kind()
    return found
