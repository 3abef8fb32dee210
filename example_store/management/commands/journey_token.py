from django.core.management.base import BaseCommand

from example_store.host import issue_token


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

    def handle(self, *args, user_id, email, permission, **options):
        self.stdout.write(
            issue_token(user_id=user_id, email=email, permissions=permission)
        )
