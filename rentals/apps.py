from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RentalsConfig(AppConfig):
    name = "rentals"
    verbose_name = "Rentals"

    def ready(self):
        # The film detail shows its copies and the customer detail its open rentals and balance:
        # rentals' data, on endpoints of the films and customers apps, which don't import rentals
        # (rentals depends on them). Rentals, which may import both, hands them those reads.
        from customers.views import CustomerViewSet
        from films.views import FilmViewSet
        from rentals.models import film_details, with_account
        from rentals.summaries import summaries_ensure

        FilmViewSet.detail_queryset = film_details()
        CustomerViewSet.with_account = staticmethod(with_account)
        post_migrate.connect(summaries_ensure, sender=self, dispatch_uid="rentals.summaries_ensure")
