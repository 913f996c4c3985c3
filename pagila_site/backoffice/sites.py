"""The staff back office: Django's admin with a dashboard index, the counter and an "Ask AI"
page, behind a sign-in that asks enrolled staff for a second factor (``two_factor.py``)."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path

from customers.scope import scope_of
from pagila_site.backoffice import charts, dashboard, two_factor, two_factor_views
from pagila_site.backoffice.counter.urls import Counter


def _money(value) -> str:
    return f"${value:,.2f}"


class BackOfficeSite(admin.AdminSite):
    site_header = "Pagila back office"
    site_title = "Pagila back office"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"

    def has_permission(self, request):
        # Every admin page (the counter and Ask AI too) asks this of every request; so does the
        # login page, which lets a session in only once it has the second factor it needs.
        return super().has_permission(request) and two_factor.session_passes(request)

    def login(self, request, extra_context=None):
        return two_factor_views.login(request, self, extra_context)

    def index(self, request, extra_context=None):
        scope = scope_of(request.user)
        context = {
            "figures": dashboard.key_figures(scope),
            "rentals_chart": charts.column_chart(
                dashboard.rentals_per_day(scope),
                title="Rentals per day (last 30 days of activity)",
                y_label="rentals",
            ),
            "revenue_chart": charts.hbar_chart(
                dashboard.revenue_by_category(scope), title="Revenue by category", fmt=_money
            ),
            "top_films_chart": charts.hbar_chart(
                dashboard.top_films(scope), title="Top 10 films by rentals", bar_color="#5b8a3c"
            ),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_urls(self):
        return [
            path("ask-ai/", self.admin_view(self.ask_ai), name="ask-ai"),
            *Counter(self).urls(),
            *two_factor_views.TwoFactorPages(self).urls(),
            *super().get_urls(),
        ]

    def ask_ai(self, request):
        context = {
            **self.each_context(request),
            "title": "Ask AI",
            "ai_configured": bool(getattr(settings, "OPENAI_API_KEY", "")),
        }
        return TemplateResponse(request, "admin/ask_ai.html", context)
