from django.urls import path

from generations import staff_views

app_name = "staff_deliveries"

urlpatterns = [
    path("", staff_views.deliveries, name="list"),
    path("<str:public_id>/refund/", staff_views.delivery_refund, name="refund"),
]
