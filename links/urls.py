from django.urls import re_path

from .tokens import TOKEN_PATTERN
from .views import link_redirect

# At the root, because SHORT_LINK_DOMAIN points at this site: https://sc.example.org/abc123.
# The pattern (six letters or digits, then hex) matches none of the app's own paths,
# which all end in a slash; config/urls.py lists it last anyway.
urlpatterns = [re_path(rf"^(?P<token>{TOKEN_PATTERN})$", link_redirect, name="link_redirect")]
