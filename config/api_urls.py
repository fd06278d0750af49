"""The XML REST API (seed 004) under /api/. Each app's api.py owns its endpoints."""

urlpatterns: list = []
