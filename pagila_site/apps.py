from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PagilaSiteConfig(AppConfig):
    name = "pagila_site"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"
    default = True

    def ready(self):
        from django.core.signals import got_request_exception

        from pagila_site.serving.middleware import log_unhandled_exception

        got_request_exception.connect(log_unhandled_exception, dispatch_uid="pagila-unhandled-exception")


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with our dashboard site as ``admin.site``."""

    default = False
    default_site = "pagila_site.backoffice.sites.BackOfficeSite"
