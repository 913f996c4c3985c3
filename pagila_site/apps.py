from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PagilaSiteConfig(AppConfig):
    name = "pagila_site"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"
    default = True


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with our dashboard site as ``admin.site``."""

    default = False
    default_site = "pagila_site.backoffice.sites.BackOfficeSite"
