from django.apps import AppConfig


class PagilaSiteConfig(AppConfig):
    name = "pagila_site"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"
