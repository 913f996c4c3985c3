"""The counter's URLs, which the back-office site mounts under ``/admin/counter/`` (names
``admin:counter…``), each view behind the site's ``admin_view`` (signed in, staff, second factor)."""

from __future__ import annotations

from django.urls import path, re_path

from pagila_site.backoffice.counter.hold_views import HoldViews
from pagila_site.backoffice.counter.views import CounterViews


class Counter:
    """``Counter(site).urls()``: the URL patterns ``BackOfficeSite.get_urls`` includes."""

    def __init__(self, site):
        self.site = site

    def urls(self) -> list:
        views = CounterViews(self.site)
        held = HoldViews(self.site)
        view = self.site.admin_view
        return [
            path("counter/", view(views.find), name="counter"),
            path("counter/check-in/", view(views.check_in_any), name="counter-check-in"),
            path("counter/condition/", view(views.mark_any), name="counter-condition"),
            path("counter/customers/<int:customer_id>/", view(views.customer), name="counter-customer"),
            path(
                "counter/customers/<int:customer_id>/check-out/",
                view(views.check_out),
                name="counter-check-out",
            ),
            path(
                "counter/customers/<int:customer_id>/check-in/",
                view(views.check_in),
                name="counter-customer-check-in",
            ),
            path(
                "counter/customers/<int:customer_id>/pay-visit/",
                view(views.pay_visit),
                name="counter-pay-visit",
            ),
            path("counter/customers/<int:customer_id>/pay/", view(views.pay), name="counter-pay"),
            path(
                "counter/customers/<int:customer_id>/condition/",
                view(views.mark),
                name="counter-customer-condition",
            ),
            path("counter/customers/<int:customer_id>/done/", view(views.done), name="counter-done"),
            path(
                "counter/customers/<int:customer_id>/holds/",
                view(held.place),
                name="counter-hold-place",
            ),
            path("counter/holds/", view(held.shelf), name="counter-holds"),
            path("counter/holds/<int:hold_id>/slip/", view(held.slip), name="counter-hold-slip"),
            path("counter/holds/<int:hold_id>/cancel/", view(held.cancel), name="counter-hold-cancel"),
            path("counter/transfers/", view(held.transfers), name="counter-transfers"),
            path("counter/transfers/receive/", view(held.receive), name="counter-transfer-receive"),
            path("counter/transfers/send/", view(held.send), name="counter-transfer-send"),
            path(
                "counter/transfers/<int:transfer_id>/cancel/",
                view(held.cancel_transfer),
                name="counter-transfer-cancel",
            ),
            # One or more rental ids joined by "-" (at most 50): a visit's receipt, or one rental's.
            re_path(
                r"^counter/receipts/(?P<rental_ids>[0-9]{1,9}(?:-[0-9]{1,9}){0,49})/$",
                view(views.receipt),
                name="counter-receipt",
            ),
        ]
