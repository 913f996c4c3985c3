"""The contract's pagination: ``?page=N&page_size=M``, default 20, at most 100.

A ``page_size`` above the maximum is clamped and one that is not a positive integer falls back
to the default (the contract's single exception to "bad query values are 400"). A ``page`` that
is not a positive integer is 400 naming ``page``; a page past the end, however far, is 404.
"""

from django.core.paginator import InvalidPage
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination


class ContractPagination(PageNumberPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"
    page_query_param = "page"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        if size < 1:
            return self.page_size
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        digits = raw.lstrip("0")
        if not (raw.isascii() and raw.isdigit() and digits):
            raise exceptions.ValidationError({self.page_query_param: ["A positive integer is required."]})
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        # Over ten digits is past the end of any list, and a 5,000-digit number must not cost a
        # big-int conversion (or Python's refusal of one).
        if len(digits) > 10:
            raise exceptions.NotFound(f"Page {digits} does not exist.")
        try:
            self.page = paginator.page(int(digits))
        except InvalidPage as exc:
            raise exceptions.NotFound(f"Page {digits} does not exist.") from exc
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    {"minimum": 1, "maximum": self.max_page_size, "default": self.page_size}
                )
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1, "default": 1})
        return parameters
