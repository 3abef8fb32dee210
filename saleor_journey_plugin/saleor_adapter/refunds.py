"""What an order has had refunded so far, added up as Saleor adds it up.

Saleor's refund hook names the order, not the amount. Saleor itself calls an
order fully refunded when the successful refunds of its payments and the
refunded values of its transactions reach its total; the same sum, read in one
query, tells the ledger how much of the order a partial refund gave back. The
backfill reads it with the same expression, so both give the same amount.
"""

from decimal import Decimal
from typing import Any

from django.db.models import (
    DecimalField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from saleor.order.models import Order
from saleor.payment import TransactionKind
from saleor.payment.models import Transaction, TransactionItem

MONEY = DecimalField(max_digits=20, decimal_places=3)


def payment_refunds() -> QuerySet[Transaction]:
    """The successful refunds of the payments of the order ``OuterRef("pk")``."""
    return Transaction.objects.filter(
        payment__order_id=OuterRef("pk"), kind=TransactionKind.REFUND, is_success=True
    )


def sum_of(rows: QuerySet, column: str) -> Subquery:
    # A constant to group by: one sum over the correlated rows.
    return Subquery(
        rows.order_by()
        .annotate(group=Value(1))
        .values("group")
        .annotate(total=Sum(column))
        .values("total")[:1],
        output_field=MONEY,
    )


def refunded() -> CombinedExpression:
    """The amount the order ``pk`` has had refunded, through payments and
    transactions (0 when nothing was)."""
    zero = Value(Decimal(0), output_field=MONEY)
    transactions = TransactionItem.objects.filter(order_id=OuterRef("pk"))
    return Coalesce(sum_of(payment_refunds(), "amount"), zero) + Coalesce(
        sum_of(transactions, "refunded_value"), zero
    )


def refunded_so_far(order: Any) -> Decimal:
    """What ``order`` has had refunded, its latest refund included: one query."""
    found = (
        Order.objects.filter(pk=order.pk)
        .annotate(refunded=refunded())
        .values_list("refunded", flat=True)
        .first()
    )
    return found if found is not None else Decimal(0)
