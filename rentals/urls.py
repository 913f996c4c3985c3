"""URLs of the rentals API (mounted under /api/v1/). Ids are ``int`` path converters."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from rentals import views

router = SimpleRouter(use_regex_path=False)
router.register("rentals", views.RentalViewSet, basename="rental")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("holds", views.HoldViewSet, basename="hold")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register("inventory", views.InventoryViewSet, basename="inventory")

urlpatterns = [
    path(
        "customers/<int:customer_id>/rentals/",
        views.CustomerRentalViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-rentals",
    ),
    path(
        "customers/<int:customer_id>/payments/",
        views.CustomerPaymentViewSet.as_view({"get": "list"}),
        name="customer-payments",
    ),
    path(
        "customers/<int:customer_id>/holds/",
        views.CustomerHoldViewSet.as_view({"get": "list", "post": "create"}),
        name="customer-holds",
    ),
    *router.urls,
]
