from types import SimpleNamespace

from django.core.exceptions import ImproperlyConfigured

from config.checks import unsafe_settings

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import SECRET_KEY, env_bool, env_int

DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Refuse to start on any development default (the same list `check --deploy` reports
# for other settings modules), naming every one at once so a deploy is fixed in one go.
_problems = [str(problem) for problem in unsafe_settings(SimpleNamespace(**globals()))]
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    _problems.insert(0, "SECRET_KEY: set SECRET_KEY to a random string of at least 50 characters.")
if _problems:
    raise ImproperlyConfigured(
        "Production settings refuse to start:\n" + "\n".join(f"- {p}" for p in _problems)
    )
