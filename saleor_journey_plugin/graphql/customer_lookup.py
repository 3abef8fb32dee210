"""Which customer staff mean: ``email:`` or ``userId:`` of the staff queries
and mutations."""

from ..core import queries
from ..core.host import get_host
from ..models import Customer
from .errors import InvalidArgument
from .validation import clean_email, clean_text

MAX_USER_ID = 64  # Customer.user_id's length


def identified_customer(email: str | None, user_id: str | None) -> Customer | None:
    """The customer staff name by exactly one of ``email`` and ``userId``
    (the store's user id in any form its host accepts)."""
    # Checked before any lookup: an over-long or NUL-holding value is the
    # caller's mistake, not a database error.
    email = clean_email(email, "email")
    user_id = clean_text(user_id, "userId", MAX_USER_ID)
    if bool(email) == bool(user_id):
        raise InvalidArgument(
            "Give exactly one of 'email' and 'userId'.", field="email"
        )
    if user_id:
        user_id = get_host().user_id_of(user_id)
    return queries.find_customer(user_id=user_id, email=email)
