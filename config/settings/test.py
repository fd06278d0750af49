import datetime as dt
import os

from .base import *  # noqa: F403  (settings modules extend base by design)
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405  # BASE_DIR comes from the star import of base
PRIVATE_ROOT = BASE_DIR / "test-artifacts" / "private"  # noqa: F405  # BASE_DIR comes from the star import of base
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "core.private_files.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_GATEWAY = "messaging.gateways.FakeGateway"
SMS_WEBHOOK_SECRET = "test-webhook-secret"
# Parallel runs on one server need their own test database name.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
# Tests run tasks in-process unless a test starts a real worker (see tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = True
WHITENOISE_AUTOREFRESH = True  # serve from STATICFILES_DIRS without collectstatic
# The suite runs at any hour: broadcasts may go out all day unless a quiet-hours test
# sets the legal window (tests/messaging/test_quiet_hours.py travels to fixed times).
SMS_SENDING_WINDOW_START = dt.time(0, 0)
SMS_SENDING_WINDOW_END = dt.time(23, 59, 59, 999999)
