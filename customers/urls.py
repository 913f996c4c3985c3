"""URLs of the customers API (mounted under /api/v1/). Ids are ``int`` path converters."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from customers import views

router = SimpleRouter(use_regex_path=False)
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path(
        "customers/<int:customer_id>/subscriptions/",
        views.CustomerSubscriptionViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-subscriptions",
    ),
    *router.urls,
]
