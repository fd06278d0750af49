import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Company, Membership, Role
from accounts.services import membership_invite

DEMO_USERS = [
    ("admin", Role.ADMIN),
    ("agent", Role.AGENT),
    ("analyst", Role.ANALYST),
    ("staff", Role.STAFF),
]


class Command(BaseCommand):
    help = "Create the demo sign-ins (one per role) once, and print them."

    def handle(self, *args, **options) -> None:
        company = Company.objects.order_by("id").first()
        if company is None:
            self.stderr.write("No company yet: run `manage.py seed_demo` first.")
            return
        credentials = Path(settings.BASE_DIR) / ".demo-credentials"
        if credentials.exists():
            password = credentials.read_text().strip()
        else:
            password = secrets.token_urlsafe(9)
            credentials.write_text(password + "\n")
            credentials.chmod(0o600)
        for username, role in DEMO_USERS:
            if Membership.objects.filter(user__username=username, company=company).exists():
                continue  # run by every `make run`: what is there stays as it is
            # The same service an Admin's "Add user" uses: it makes no staff users (company
            # roles act on the product's pages; the Django admin is for superusers, see
            # config.admin_site), keeps an existing user's password, and makes the
            # membership the user's default when it is their first.
            membership_invite(
                company=company,
                username=username,
                email=f"{username}@example.org",
                role=role,
                first_name=username.title(),
                password=password,
            )
        self.stdout.write(self.style.SUCCESS("\nShortcode is ready at http://127.0.0.1:8000/"))
        self.stdout.write(f"Sign in as  admin  / {password}   (Admin of {company.name})")
        self.stdout.write("Other roles: agent, analyst, staff (same password).\n")
