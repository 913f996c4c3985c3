"""Customers and their streaming subscriptions (staff only, like every endpoint by default),
and ``/me/``: who the caller is and which stores it works for.

Every queryset here goes through ``in_scope(scope)`` (see ``customers.scope``): what is out of
the caller's stores is 404 and missing from lists.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response

from customers.filters import CustomerFilter
from customers.mixins import CustomerScopedMixin, InScopeMixin
from customers.models import Customer, StreamingSubscription
from customers.scope import scope_of
from customers.serializers import (
    CustomerDetailSerializer,
    CustomerSerializer,
    MeSerializer,
    SubscriptionSerializer,
)
from pagila_site.api.idempotency import IdempotentPostMixin
from pagila_site.api.pagination import CursorPagination
from pagila_site.api.permissions import IsStaffToken
from pagila_site.api.preconditions import IfMatchMixin
from pagila_site.api.schema import error_responses


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        responses={200: CustomerSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A customer, with address, open rental count and balance",
        responses={200: CustomerDetailSerializer, **error_responses(401, 404)},
    ),
)
class CustomerViewSet(InScopeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Customer.objects.order_by("customer_id")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    pagination_class = CursorPagination
    lookup_url_kwarg = "customer_id"
    lookup_value_converter = "int"
    # The detail's open rentals and balance are rentals' data, which this app doesn't import
    # (rentals depends on customers). That cross-app read is rentals.models.with_account, set
    # here by the rentals app when the apps are loaded (rentals/apps.py).
    with_account = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return self.with_account(queryset.select_related("address__city__country"))
        return queryset

    def get_serializer_class(self):
        return CustomerDetailSerializer if self.action == "retrieve" else CustomerSerializer


@extend_schema_view(
    list=extend_schema(
        summary="A customer's streaming subscriptions",
        responses={200: SubscriptionSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    create=extend_schema(
        summary="Subscribe a customer to a streaming plan",
        description="end_date is null or on/after start_date.",
        responses={201: SubscriptionSerializer, **error_responses(400, 401, 404)},
    ),
)
class CustomerSubscriptionViewSet(
    # CustomerScopedMixin first: its initial() checks the customer after IdempotentPostMixin's has
    # claimed the key, so even that 404 is the key's first answer.
    CustomerScopedMixin,
    IdempotentPostMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = StreamingSubscription.objects.order_by("id")
    serializer_class = SubscriptionSerializer

    def perform_create(self, serializer):
        serializer.save(customer_id=self.customer_id)


@extend_schema_view(
    retrieve=extend_schema(
        summary="A streaming subscription",
        responses={200: SubscriptionSerializer, **error_responses(401, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a streaming subscription",
        description="end_date is null or on/after start_date (the stored one when not sent).",
        responses={200: SubscriptionSerializer, **error_responses(400, 401, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a streaming subscription", responses={204: None, **error_responses(401, 404)}
    ),
)
class SubscriptionViewSet(
    IfMatchMixin,
    InScopeMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = StreamingSubscription.objects.all()
    serializer_class = SubscriptionSerializer
    lookup_url_kwarg = "subscription_id"
    lookup_value_converter = "int"
    # The contract has PATCH only: a PUT would have to send every field anyway.
    http_method_names = ["get", "patch", "delete", "head", "options"]


class MeView(generics.GenericAPIView):
    """``GET /api/v1/me/``: any valid token, even one whose user works for no store."""

    permission_classes = [IsStaffToken]
    serializer_class = MeSerializer

    @extend_schema(
        summary="The caller: username, linked staff member and the stores it works for",
        responses={200: MeSerializer, **error_responses(401)},
    )
    def get(self, request):
        user = request.user
        scope = scope_of(user)
        return Response(
            MeSerializer(
                {
                    "username": user.get_username(),
                    "is_superuser": user.is_superuser,
                    "staff_id": scope.staff_id,
                    "store_ids": scope.sorted_store_ids(),
                    # request.auth is the ApiToken that authenticated the request.
                    "token_expires_at": getattr(request.auth, "expires_at", None),
                }
            ).data
        )
