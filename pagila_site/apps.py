from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django_otp.plugins.otp_static import apps as otp_static_apps
from django_otp.plugins.otp_totp import apps as otp_totp_apps


class PagilaSiteConfig(AppConfig):
    name = "pagila_site"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"
    default = True

    def ready(self):
        from django.core.signals import got_request_exception
        from django.db.backends.signals import connection_created

        from pagila_site import change_context
        from pagila_site.serving.middleware import log_unhandled_exception

        got_request_exception.connect(log_unhandled_exception, dispatch_uid="pagila-unhandled-exception")
        connection_created.connect(change_context.install, dispatch_uid="pagila-change-context")


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with our dashboard site as ``admin.site``."""

    default = False
    default_site = "pagila_site.backoffice.sites.BackOfficeSite"


class AuthenticatorsConfig(otp_totp_apps.DefaultConfig):
    """django-otp's TOTP devices (pagila_site/backoffice/two_factor.py), named for the admin's menu:
    there a superuser sees who enrolled, and may delete a lost phone's authenticator."""

    default = False
    verbose_name = "Two-factor authenticators"


class RecoveryCodesConfig(otp_static_apps.DefaultConfig):
    """django-otp's static devices: each user's set of recovery codes (never shown in the admin)."""

    default = False
    verbose_name = "Two-factor recovery codes"
