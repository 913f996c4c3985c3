"""The admin's share of store scope: changelists, change pages and form choices limited to the
stores the signed-in user works for (``customers.scope``), exactly as the API limits tokens.

A model admin opts in with :class:`InScopeAdmin`; its rows go through the model's
``in_scope(scope)`` queryset method, and so do the choices of every foreign key whose model has
one: a select, a raw-id lookup popup and an autocomplete all offer only what is in scope, and a
posted id outside it fails validation.
"""

from django.contrib import admin

from customers.scope import customer_detail, customer_label_sql, scope_of


def scoped(queryset, request):
    """``queryset`` limited to what the request's user may see, when its model is scoped."""
    if hasattr(queryset, "in_scope"):
        return queryset.in_scope(scope_of(request.user))
    return queryset


class InScopeAdmin:
    """Mixin for ``ModelAdmin`` and inlines whose model's queryset has ``in_scope``."""

    def get_queryset(self, request):
        return scoped(super().get_queryset(request), request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            # The related admin's ordering, as Django would use, then the scope.
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scoped(queryset, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CustomerShownAdmin:
    """For a ``ModelAdmin`` of rows that have a customer (rentals, payments), which a clerk may see
    by their copy although the customer is another store's: the list's ``customer_shown``
    column, the change page and the CSV's ``customer_*_shown`` columns name the customer only as
    ``customers.scope`` allows ("#333" out of scope), in the rows' own query."""

    def get_queryset(self, request):
        scope = scope_of(request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(
                customer_shown=customer_label_sql(scope),
                customer_first_name_shown=customer_detail(scope, "first_name"),
                customer_last_name_shown=customer_detail(scope, "last_name"),
            )
        )

    @admin.display(description="customer", ordering="customer")
    def customer_shown(self, row):
        return row.customer_shown
