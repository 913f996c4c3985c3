from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers and stores"

    def ready(self):
        from customers.services import groups_ensure

        post_migrate.connect(groups_ensure, dispatch_uid="customers.groups_ensure")
