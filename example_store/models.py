"""The example store's own records that campaign emails read and make.

A Saleor store has checkouts and vouchers; this stand-in keeps the little the
journey's campaigns need from them.
"""

from django.db import models


class StoreCheckout(models.Model):
    token = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=255)
    email = models.CharField(max_length=254, blank=True, default="")
    user_id = models.CharField(max_length=64, blank=True, default="")
    # [{"name": ..., "quantity": ..., "price": "12.50"}], unit prices; a line
    # may add "variant_name" and "image_url".
    lines = models.JSONField(default=list, blank=True)
    # The billing address's first name, once the shopper typed it.
    first_name = models.CharField(max_length=256, blank=True, db_default="")
    currency = models.CharField(max_length=3, default="USD")
    updated_at = models.DateTimeField()
    # Set once an order is placed from it.
    order_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return self.token


class Coupon(models.Model):
    """A single-use discount code."""

    code = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=255)
    # Who asked for it (a campaign send): asking again returns the same code.
    reference = models.CharField(max_length=255, unique=True)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    percentage = models.BooleanField()
    currency = models.CharField(max_length=3, blank=True, default="")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Taken back unused (a refund reversed the points that paid for it).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code


class OrderOwner(models.Model):
    """A guest order the store has linked to an account, as Saleor does once
    the account's owner proves the address (``purchases.link_guest_orders``).
    Orders placed signed in are their user's already (their events say so)."""

    order_id = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.order_id}: {self.user_id}"
