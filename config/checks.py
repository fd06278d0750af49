"""Settings that are fine on a laptop and unsafe in production.

`unsafe_settings` reads any object with the settings as attributes, so the same list
serves the `check --deploy` system checks (registered in config/apps.py, for any
settings module) and config/settings/production.py, which refuses to start on any of
them. Each problem has a stable id (shortcode.E001…) and says what goes wrong.
"""

from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet
from django.core.checks import Error

DEV_WEBHOOK_SECRETS = {"dev-webhook-secret", "test-webhook-secret"}
MIN_WEBHOOK_SECRET_LENGTH = 32
DEV_GATEWAYS = {"messaging.gateways.ConsoleGateway", "messaging.gateways.FakeGateway"}
HTTP_GATEWAY = "messaging.gateways.HttpGateway"
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@dataclass(frozen=True)
class Unsafe:
    id: str
    msg: str
    hint: str

    def __str__(self) -> str:
        return f"{self.id}: {self.msg} {self.hint}"


def _webhook_secret(secret: str) -> Unsafe | None:
    hint = (
        f"Set SMS_WEBHOOK_SECRET to a random secret of {MIN_WEBHOOK_SECRET_LENGTH}+ "
        "characters, the one the aggregator signs its webhooks with."
    )
    if not secret:
        problem = "SMS_WEBHOOK_SECRET is empty: every inbound message and receipt is refused."
    elif secret in DEV_WEBHOOK_SECRETS:
        problem = (
            f"SMS_WEBHOOK_SECRET is the public development value {secret!r}: anyone can "
            "forge inbound messages, STOPs, opt-ins and delivery receipts."
        )
    elif len(secret) < MIN_WEBHOOK_SECRET_LENGTH:
        problem = (
            f"SMS_WEBHOOK_SECRET is only {len(secret)} characters: short enough to guess, "
            "and a guessed secret signs forged STOPs, opt-ins and receipts."
        )
    else:
        return None
    return Unsafe("shortcode.E001", problem, hint)


def _gateway(gateway: str, url: str) -> Unsafe | None:
    if gateway in DEV_GATEWAYS or not gateway:
        return Unsafe(
            "shortcode.E002",
            f"SMS_GATEWAY is {gateway or 'empty'}, a development gateway: messages are "
            "marked Sent and never reach a phone.",
            f"Set SMS_GATEWAY={HTTP_GATEWAY} (or your aggregator's gateway class).",
        )
    if gateway == HTTP_GATEWAY and not url:
        return Unsafe(
            "shortcode.E003",
            "SMS_GATEWAY is the HTTP gateway but SMS_GATEWAY_URL is empty: every message fails.",
            "Set SMS_GATEWAY_URL (and SMS_GATEWAY_TOKEN) to the aggregator's endpoint.",
        )
    return None


def database_problem(databases: dict[str, Any]) -> Unsafe | None:
    engine = databases.get("default", {}).get("ENGINE", "")
    if engine == "django.db.backends.postgresql":
        return None
    what = "DATABASE_URL is unset" if engine.endswith(".dummy") else f"the engine is {engine}"
    return Unsafe(
        "shortcode.E004",
        f"The database is not PostgreSQL ({what}): Shortcode needs PostgreSQL's trigram "
        "search, COPY, arrays and row locks.",
        "Set DATABASE_URL=postgres://user:password@host:5432/shortcode, or start the app "
        "with `make run`, which runs an embedded PostgreSQL when DATABASE_URL is unset.",
    )


def database_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every command that runs checks (runserver, migrate): PostgreSQL or a clear stop."""
    from django.conf import settings

    problem = database_problem(settings.DATABASES)
    if problem is None:
        return []
    return [Error(problem.msg, hint=problem.hint, id=problem.id)]


def _tasks(eager: bool, broker_url: str) -> Unsafe | None:
    if not eager and broker_url and not broker_url.startswith("memory://"):
        return None
    return Unsafe(
        "shortcode.E005",
        "Celery runs tasks inside the web process (REDIS_URL is unset, no broker): "
        "broadcasts and exports run in requests and are lost on a restart.",
        "Set REDIS_URL=redis://host:6379/0 and run `celery -A config worker` and `beat`.",
    )


def _cache(caches: dict[str, Any]) -> Unsafe | None:
    backend = caches.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return None
    return Unsafe(
        "shortcode.E006",
        f"The cache is {backend.rsplit('.', 1)[-1]}, memory of each process: sign-in "
        "throttles, locks and API limits are not shared between processes.",
        "Set REDIS_URL=redis://host:6379/0 (the cache uses Redis when it is set).",
    )


def _channel_keys(keys: list[str]) -> Unsafe | None:
    hint = (
        'Set CHANNEL_CREDENTIALS_KEYS to a Fernet key (python -c "from cryptography.fernet '
        'import Fernet; print(Fernet.generate_key().decode())").'
    )
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return Unsafe(
                "shortcode.E007",
                "CHANNEL_CREDENTIALS_KEYS holds a value that is not a Fernet key (32 bytes, "
                "urlsafe base64): no sending number's credentials could be read.",
                hint,
            )
    if keys:
        return None
    return Unsafe(
        "shortcode.E007",
        "CHANNEL_CREDENTIALS_KEYS is empty: sending numbers' provider credentials are "
        "encrypted with a key derived from SECRET_KEY, so whoever learns SECRET_KEY reads "
        "every auth token, and rotating SECRET_KEY makes them unreadable.",
        hint,
    )


def unsafe_settings(conf: Any) -> list[Unsafe]:
    """Every unsafe default in `conf` (django.conf.settings or a settings namespace)."""
    found = [
        _webhook_secret(conf.SMS_WEBHOOK_SECRET),
        _gateway(conf.SMS_GATEWAY, conf.SMS_GATEWAY_URL),
        database_problem(conf.DATABASES),
        _tasks(conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_BROKER_URL),
        _cache(conf.CACHES),
        _channel_keys(conf.CHANNEL_CREDENTIALS_KEYS),
    ]
    return [problem for problem in found if problem is not None]


def deploy_settings_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`manage.py check --deploy`: an Error for each unsafe default."""
    from django.conf import settings

    return [
        Error(problem.msg, hint=problem.hint, id=problem.id)
        for problem in unsafe_settings(settings)
        if problem.id != "shortcode.E004"  # database_check reports it on every command
    ]
