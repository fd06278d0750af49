from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: `manage.py seed_demo` and `manage.py demo_login`.

    The top of the layers below config: it builds every app's objects and may import
    every app, and no app imports it.
    """

    name = "demo"
    verbose_name = "Demo data"
