import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.models import Company, Membership, Role

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
        User = get_user_model()
        for username, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "first_name": username.title()},
            )
            if created:
                # No is_staff, even for the Admin: company roles act on the product's
                # pages; the Django admin is for superusers (config.admin_site).
                user.set_password(password)
                user.save()
            Membership.objects.get_or_create(
                user=user, company=company, defaults={"role": role, "is_default": True}
            )
        self.stdout.write(self.style.SUCCESS("\nShortcode is ready at http://127.0.0.1:8000/"))
        self.stdout.write(f"Sign in as  admin  / {password}   (Admin of {company.name})")
        self.stdout.write("Other roles: agent, analyst, staff (same password).\n")
