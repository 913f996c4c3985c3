"""The API views' store scope: mixins that limit a viewset's rows to the caller's stores
(``customers.scope``), for every app's viewsets."""

from django.shortcuts import get_object_or_404

from customers.models import Customer
from customers.scope import scope_of
from pagila_site.api.pagination import OneQueryPagination


class ScopeMixin:
    """``self.scope``: the stores the caller works for (``customers.scope``)."""

    @property
    def scope(self):
        return scope_of(self.request.user)


class InScopeMixin(ScopeMixin):
    """Limit a viewset's rows to the caller's stores: ``get_queryset()`` through ``in_scope``."""

    def get_queryset(self):
        return super().get_queryset().in_scope(self.scope)


class CustomerScopedMixin(ScopeMixin):
    """For viewsets under ``/customers/{customer_id}/``: only that customer's rows, and 404
    unless the customer exists and is in the caller's scope. Its rows are then seen whole (a
    customer's rentals from another store's copies included), as the contract says.

    Lists are paged with :class:`OneQueryPagination`; for a caller who sees every store, a page
    with rows proves the customer exists (the rows' foreign key), so only an empty page pays for
    the customer lookup. Every other request checks first, before the body is read: an unknown
    customer, or one of another store, is 404 whatever the body says (for the actions of
    ``customer_checked_by_service``, the service's lookup says it, or the view's when the body
    is invalid).
    """

    pagination_class = OneQueryPagination
    # Actions whose service looks the customer up itself (404 through ``service_answers``): they
    # call ``check_customer`` only for an invalid body, so a valid request costs no extra query.
    customer_checked_by_service = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.customer_id = self.kwargs["customer_id"]
        if self.action in self.customer_checked_by_service:
            return
        if self.action != "list" or not self.scope.every_store:
            self.check_customer()

    def check_customer(self):
        get_object_or_404(Customer.objects.in_scope(self.scope).only("pk"), pk=self.customer_id)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self.paginator.page_was_empty:
            self.check_customer()
        return response

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no customer
            return queryset.none()
        return queryset.filter(customer_id=self.customer_id)
