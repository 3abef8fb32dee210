"""``journey_erase_guest``: erase a guest (a customer without an account) on
request, as staff's ``eraseGuestData`` mutation does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from saleor_journey_plugin.core.erasure import erase_guest
from saleor_journey_plugin.core.events import is_storable_email, normalize_email
from saleor_journey_plugin.core.host import get_host


class Command(BaseCommand):
    help = (
        "Erase the guest with this email: her journey, the personal data of "
        "her events, her reviews, loyalty points and campaign emails. An "
        "account using the address is not touched (it goes when the store "
        "deletes it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        email = normalize_email(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        if not is_storable_email(email):
            raise CommandError(f"{email!r} is not an email address a store keeps.")
        with get_host().writer():
            erased = erase_guest(email)
        if erased:
            self.stdout.write(f"Erased the guest {email}.")
        else:
            self.stdout.write(f"No guest has the email {email}; nothing erased.")
