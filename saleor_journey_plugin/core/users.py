"""Store users kept in Django's auth model (Saleor's and the example store's)."""

from django.contrib.auth import get_user_model
from django.db.models import Q


def staff_or_inactive(user_ids: list[str]) -> set[str]:
    """The ids among ``user_ids`` of staff or inactive users, in one query;
    an id that is not a user's primary key is nobody's."""
    pks = {user_id: int(user_id) for user_id in user_ids if user_id.isdecimal()}
    if not pks:
        return set()
    skipped = set(
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_active=False), pk__in=pks.values())
        .values_list("pk", flat=True)
    )
    return {user_id for user_id, pk in pks.items() if pk in skipped}
