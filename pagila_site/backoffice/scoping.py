"""The admin's share of store scope: changelists, change pages and form choices limited to the
stores the signed-in user works for (``customers.scope``), exactly as the API limits tokens.

A model admin opts in with :class:`InScopeAdmin`; its rows go through the model's
``in_scope(scope)`` queryset method, and so do the choices of every foreign key whose model has
one: a select, a raw-id lookup popup and an autocomplete all offer only what is in scope, and a
posted id outside it fails validation.
"""

from customers.scope import scope_of


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
