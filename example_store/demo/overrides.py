"""Django settings changed for the length of the demo, then put back."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings


@contextmanager
def overridden_settings(**values: Any) -> Iterator[None]:
    missing = object()
    previous = {name: getattr(settings, name, missing) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is missing:
                delattr(settings, name)
            else:
                setattr(settings, name, value)
