import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Membership, Role

pytestmark = pytest.mark.django_db

USERNAMES = ["admin", "agent", "analyst", "staff"]


def test_demo_login_makes_no_staff_users(company, tmp_path, settings):
    settings.BASE_DIR = tmp_path  # the command keeps its password file there
    call_command("demo_login", stdout=io.StringIO())
    users = get_user_model().objects.filter(username__in=USERNAMES)
    assert users.count() == 4
    assert not users.filter(is_staff=True).exists()
    assert not users.filter(groups__isnull=False).exists()
    assert Membership.objects.get(user__username="admin", company=company).role == Role.ADMIN


def test_demo_login_runs_again_without_changing_anything(company, tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("demo_login", stdout=io.StringIO())
    password = (tmp_path / ".demo-credentials").read_text().strip()
    out = io.StringIO()
    call_command("demo_login", stdout=out)
    assert password in out.getvalue()
    assert Membership.objects.filter(company=company).count() == 4
    roles = {"admin": Role.ADMIN, "agent": Role.AGENT, "analyst": Role.ANALYST, "staff": Role.STAFF}
    for username, role in roles.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password)
        assert Membership.objects.get(user=user, company=company).role == role


def test_an_existing_user_keeps_their_password_and_default_company(
    company, other_company, tmp_path, settings
):
    settings.BASE_DIR = tmp_path
    user = get_user_model().objects.create_user("admin", "admin@example.org", "their-own")
    Membership.objects.create(user=user, company=other_company, role=Role.AGENT, is_default=True)
    call_command("demo_login", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.check_password("their-own")
    joined = Membership.objects.get(user=user, company=company)
    assert joined.role == Role.ADMIN and not joined.is_default
