import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
django_application = get_wsgi_application()

# Tracked-link redirects (/<token>) and Twilio's webhooks (/messaging/channels/<token>/…)
# skip the middleware stack and the URL resolver; everything else is Django's
# (links/fastpath.py and messaging/webhook_fastpath.py say why and what stays the same).
from links.fastpath import LinkRedirects  # noqa: E402 (needs the apps loaded above)
from messaging.webhook_fastpath import InboundWebhooks  # noqa: E402 (needs the apps loaded above)

application = InboundWebhooks(LinkRedirects(django_application))
