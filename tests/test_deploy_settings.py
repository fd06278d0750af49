"""Production refuses every development default, and `check --deploy` names each one.

Two ways in, one list (config/checks.py): config.settings.production raises
ImproperlyConfigured at start-up, and the deploy system checks report the same problems
for any other settings module.
"""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from config.checks import unsafe_settings

ROOT = Path(__file__).resolve().parent.parent

REAL = {
    "SECRET_KEY": "k" * 30 + "-a-random-production-key-0123456789",
    "ALLOWED_HOSTS": "sms.example.org",
    "SMS_WEBHOOK_SECRET": "whsec-7f3c9a1e5b2d8f4a6c0e9b7d5a3f1c8e",
    "SMS_GATEWAY": "messaging.gateways.HttpGateway",
    "SMS_GATEWAY_URL": "https://sms-gateway.example.org/messages",
    "DATABASE_URL": "postgres://shortcode@db.example.org:5432/shortcode",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "CHANNEL_CREDENTIALS_KEYS": "r5kKQUCuX7mQ1mXrVbV6x8b0kq1Ue3tQm2cZ0mB8cXo=",
}

WEBHOOK_DEV = "SMS_WEBHOOK_SECRET is the public development value 'dev-webhook-secret'"
WEBHOOK_EMPTY = "SMS_WEBHOOK_SECRET is empty"
WEBHOOK_SHORT = "SMS_WEBHOOK_SECRET is only 12 characters"
CONSOLE = "SMS_GATEWAY is messaging.gateways.ConsoleGateway, a development gateway"
FAKE = "SMS_GATEWAY is messaging.gateways.FakeGateway, a development gateway"
NO_URL = "SMS_GATEWAY is the HTTP gateway but SMS_GATEWAY_URL is empty"
NOT_POSTGRES = "The database is not PostgreSQL"
EAGER = "Celery runs tasks inside the web process"
LOCMEM = "The cache is LocMemCache, memory of each process"
CHANNEL_KEYS = "CHANNEL_CREDENTIALS_KEYS is empty"
CHANNEL_KEY_BAD = "CHANNEL_CREDENTIALS_KEYS holds a value that is not a Fernet key"

# (what is unsafe, the environment change (None: unset), the ids and texts it must give)
UNSAFE_ENVIRONMENTS = [
    ("webhook secret unset", {"SMS_WEBHOOK_SECRET": None}, ["shortcode.E001"], [WEBHOOK_DEV]),
    ("webhook secret empty", {"SMS_WEBHOOK_SECRET": ""}, ["shortcode.E001"], [WEBHOOK_EMPTY]),
    (
        "webhook secret short",
        {"SMS_WEBHOOK_SECRET": "short-secret"},
        ["shortcode.E001"],
        [WEBHOOK_SHORT],
    ),
    ("gateway unset", {"SMS_GATEWAY": None}, ["shortcode.E002"], [CONSOLE]),
    ("fake gateway", {"SMS_GATEWAY": "messaging.gateways.FakeGateway"}, ["shortcode.E002"], [FAKE]),
    ("gateway URL unset", {"SMS_GATEWAY_URL": None}, ["shortcode.E003"], [NO_URL]),
    ("database unset", {"DATABASE_URL": None}, ["shortcode.E004"], [NOT_POSTGRES]),
    (
        "sqlite database",
        {"DATABASE_URL": "sqlite:////tmp/shortcode.sqlite3"},
        ["shortcode.E004"],
        [NOT_POSTGRES],
    ),
    ("redis unset", {"REDIS_URL": None}, ["shortcode.E005", "shortcode.E006"], [EAGER, LOCMEM]),
    (
        "channel credential keys unset",
        {"CHANNEL_CREDENTIALS_KEYS": None},
        ["shortcode.E007"],
        [CHANNEL_KEYS],
    ),
]


def _manage(args: list[str], env_changes: dict[str, str | None], settings_module: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMS_"))}
    env.update(REAL)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_with_real_values_pass_check_deploy_at_warning_level():
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"], {}, "config.settings.production"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("change", "ids", "texts"),
    [pytest.param(change, ids, texts, id=name) for name, change, ids, texts in UNSAFE_ENVIRONMENTS],
)
def test_production_refuses_to_start_on_each_unsafe_default(change, ids, texts):
    result = _manage(["check", "--deploy"], change, "config.settings.production")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Production settings refuse to start" in result.stderr
    for expected in [*ids, *texts]:
        assert expected in result.stderr
    others = {f"shortcode.E00{n}" for n in range(1, 8)} - set(ids)
    assert not [other for other in others if other in result.stderr], result.stderr


def test_production_lists_every_unsafe_default_at_once():
    unset = dict.fromkeys(["SMS_WEBHOOK_SECRET", "SMS_GATEWAY", "DATABASE_URL", "REDIS_URL"])
    result = _manage(["check", "--deploy"], unset, "config.settings.production")
    assert result.returncode != 0
    for text in (WEBHOOK_DEV, CONSOLE, NOT_POSTGRES, EAGER, LOCMEM):
        assert text in result.stderr


def test_check_deploy_reports_the_unsafe_defaults_of_another_settings_module():
    result = _manage(["check", "--deploy"], {"REDIS_URL": None}, "config.settings.local")
    assert result.returncode != 0
    assert "(shortcode.E005) " + EAGER in result.stderr
    assert "(shortcode.E006) " + LOCMEM in result.stderr
    assert "HINT: Set REDIS_URL=redis://host:6379/0" in result.stderr


# In-process: the same list against settings values, one unsafe value at a time.
SAFE = {
    "SMS_WEBHOOK_SECRET": REAL["SMS_WEBHOOK_SECRET"],
    "SMS_GATEWAY": REAL["SMS_GATEWAY"],
    "SMS_GATEWAY_URL": REAL["SMS_GATEWAY_URL"],
    "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shortcode"}},
    "CELERY_TASK_ALWAYS_EAGER": False,
    "CELERY_BROKER_URL": REAL["REDIS_URL"],
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}},
    "CHANNEL_CREDENTIALS_KEYS": [REAL["CHANNEL_CREDENTIALS_KEYS"]],
}
SQLITE_DB = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
LOCMEM_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
UNSAFE_SETTINGS = [
    (
        "dev webhook secret",
        {"SMS_WEBHOOK_SECRET": "dev-webhook-secret"},
        "shortcode.E001",
        WEBHOOK_DEV,
    ),
    ("empty webhook secret", {"SMS_WEBHOOK_SECRET": ""}, "shortcode.E001", WEBHOOK_EMPTY),
    (
        "short webhook secret",
        {"SMS_WEBHOOK_SECRET": "short-secret"},
        "shortcode.E001",
        WEBHOOK_SHORT,
    ),
    (
        "console gateway",
        {"SMS_GATEWAY": "messaging.gateways.ConsoleGateway"},
        "shortcode.E002",
        CONSOLE,
    ),
    ("fake gateway", {"SMS_GATEWAY": "messaging.gateways.FakeGateway"}, "shortcode.E002", FAKE),
    ("no gateway URL", {"SMS_GATEWAY_URL": ""}, "shortcode.E003", NO_URL),
    ("sqlite", {"DATABASES": SQLITE_DB}, "shortcode.E004", NOT_POSTGRES),
    ("eager tasks", {"CELERY_TASK_ALWAYS_EAGER": True}, "shortcode.E005", EAGER),
    ("memory broker", {"CELERY_BROKER_URL": "memory://"}, "shortcode.E005", EAGER),
    ("locmem cache", {"CACHES": LOCMEM_CACHE}, "shortcode.E006", LOCMEM),
    ("derived channel key", {"CHANNEL_CREDENTIALS_KEYS": []}, "shortcode.E007", CHANNEL_KEYS),
    (
        "malformed channel key",
        {"CHANNEL_CREDENTIALS_KEYS": ["not-a-key"]},
        "shortcode.E007",
        CHANNEL_KEY_BAD,
    ),
]


def test_real_values_have_no_unsafe_default():
    assert unsafe_settings(SimpleNamespace(**SAFE)) == []


@pytest.mark.parametrize(
    ("change", "check_id", "text"),
    [
        pytest.param(change, check_id, text, id=name)
        for name, change, check_id, text in UNSAFE_SETTINGS
    ],
)
def test_each_unsafe_default_is_named_with_its_id_and_a_hint(change, check_id, text):
    problems = unsafe_settings(SimpleNamespace(**{**SAFE, **change}))
    assert [problem.id for problem in problems] == [check_id]
    assert text in problems[0].msg and problems[0].hint.startswith("Set ")


def test_the_deploy_checks_report_the_unsafe_defaults_of_the_running_settings():
    # The test settings use the fake gateway and a test secret: both refused for deploys.
    errors = {error.id: error for error in run_checks(include_deployment_checks=True)}
    assert errors["shortcode.E001"].is_serious()
    assert FAKE in errors["shortcode.E002"].msg
    with override_settings(**{k: v for k, v in SAFE.items() if k != "DATABASES"}):
        ids = {error.id for error in run_checks(include_deployment_checks=True)}
        # (The database is whatever DATABASE_URL the suite runs on; shown above in-process.)
        assert not {i for i in ids if i.startswith("shortcode.")} - {"shortcode.E004"}


def test_the_deploy_checks_run_only_with_deploy():
    assert not {error.id for error in run_checks() if error.id.startswith("shortcode.")}
