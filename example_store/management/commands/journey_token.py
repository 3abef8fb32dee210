from django.core.management.base import BaseCommand, CommandError

from example_store.host import issue_token, token_max_age


class Command(BaseCommand):
    help = "Print a bearer token for the example store's journey API (make serve)."

    def add_arguments(self, parser):
        parser.add_argument("--user-id", default="", help="Sign in as this customer.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--permission",
            action="append",
            default=[],
            help="Grant a permission, e.g. MANAGE_USERS (repeatable).",
        )
        parser.add_argument(
            "--expires-in",
            type=int,
            default=None,
            metavar="SECONDS",
            help=(
                "Seconds until the token expires; default and maximum "
                f"EXAMPLE_STORE_TOKEN_MAX_AGE ({token_max_age()} here)."
            ),
        )

    def handle(self, *args, user_id, email, permission, expires_in, **options):
        try:
            token = issue_token(
                user_id=user_id,
                email=email,
                permissions=permission,
                expires_in=expires_in,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(token)
