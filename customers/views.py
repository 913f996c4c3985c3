"""Customers and their streaming subscriptions (staff only, like every endpoint by default)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from customers.filters import CustomerFilter
from customers.models import Customer, StreamingSubscription
from customers.serializers import CustomerDetailSerializer, CustomerSerializer, SubscriptionSerializer
from pagila_site.api.schema import error_responses


@extend_schema_view(
    list=extend_schema(
        summary="List customers",
        responses={200: CustomerSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A customer, with address and open rental count",
        responses={200: CustomerDetailSerializer, **error_responses(401, 404)},
    ),
)
class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Customer.objects.order_by("customer_id")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    lookup_url_kwarg = "customer_id"
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.action == "retrieve":
            return self.queryset.select_related("address__city__country").with_open_rentals()
        return self.queryset

    def get_serializer_class(self):
        return CustomerDetailSerializer if self.action == "retrieve" else CustomerSerializer


class CustomerScopedMixin:
    """For viewsets under ``/customers/{customer_id}/``: ``self.customer``, and only its rows."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # After authentication, before the body is read: an unknown customer is 404 whatever
        # the body says.
        self.customer = get_object_or_404(Customer.objects.only("pk"), pk=self.kwargs["customer_id"])

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no customer
            return queryset.none()
        return queryset.filter(customer=self.customer)


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
    CustomerScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = StreamingSubscription.objects.order_by("id")
    serializer_class = SubscriptionSerializer

    def perform_create(self, serializer):
        serializer.save(customer=self.customer)


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
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    queryset = StreamingSubscription.objects.all()
    serializer_class = SubscriptionSerializer
    lookup_url_kwarg = "subscription_id"
    lookup_value_converter = "int"
    # The contract has PATCH only: a PUT would have to send every field anyway.
    http_method_names = ["get", "patch", "delete", "head", "options"]
