from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("inbound/", views.inbound, name="inbound"),
    path("receipts/", views.receipts, name="receipts"),
]
