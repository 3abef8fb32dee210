import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from saleor_journey_plugin.core.events import normalize_email


class Command(BaseCommand):
    help = (
        "Create or update a user who signs in on the journey map page "
        "(/map/<channel>/). Staff users get MANAGE_ORDERS and MANAGE_USERS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--password",
            default=None,
            help="The password; asked for (twice, not echoed) when left out.",
        )
        parser.add_argument(
            "--staff",
            action="store_true",
            default=True,
            help="A staff user who sees the store's reports (the default).",
        )
        parser.add_argument(
            "--no-staff",
            action="store_false",
            dest="staff",
            help="A user without staff permissions: the page tells them so.",
        )

    def handle(self, *args, email, password, staff, **options):
        email = email.strip()
        if "@" not in email:
            raise CommandError(f"{email!r} is not an email address.")
        if password is None:
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        model = get_user_model()
        user = model.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            user = model(username=normalize_email(email), email=email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        user.is_staff = staff
        user.is_active = True
        user.save()
        kind = "staff user" if staff else "user without staff permissions"
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {kind} {email}.")
