"""API tokens in the back office: issued here (shown once, on the page that answers the form, never
in a cookie or a message), listed and revoked. And django-axes' sign-in records, as axes shows
them but with their dates checked."""

# Imported (which registers axes' admins) before they are registered again below.
from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse

from pagila_site.backoffice.admin_filters import CheckedDateHierarchy
from pagila_site.models import DEFAULT_LIFETIME_DAYS, ApiToken
from pagila_site.services import token_issue, token_revoke


class ApiTokenForm(forms.ModelForm):
    expires_in_days = forms.DecimalField(
        min_value=0,
        max_digits=7,
        decimal_places=2,
        initial=DEFAULT_LIFETIME_DAYS,
        label="Expires in (days)",
        help_text="0: never expires.",
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["user", "name", "expires_in_days"] if obj is None else ["user", "name", *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm  # a change names the token only: no lifetime field
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["user", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        token, raw = token_issue(
            user=obj.user, name=obj.name, days=float(form.cleaned_data["expires_in_days"])
        )
        # The admin goes on with ``obj`` (its log entry, response_add): make it the issued row.
        obj.__dict__.update(token.__dict__)
        request._issued_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        # The raw token is in this page's body only: a message would carry it in the messages cookie
        # (signed, not encrypted) and through a redirect. Admin pages are never_cache already.
        context = {
            **self.admin_site.each_context(request),
            "title": "Token issued",
            "opts": self.opts,
            "token": obj,
            "raw": request._issued_token,
        }
        return TemplateResponse(request, "admin/pagila_site/apitoken/issued.html", context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Tokens are for staff only; the form refuses anyone else with a field error.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, f"Revoked {queryset.count()} token(s).", messages.SUCCESS)


# Sign-in attempts, failures and lock-outs (pagila_site/backoffice/lockouts.py), for a superuser to
# see who was locked out and to delete an attempt to unlock. Axes' own admins, except that a date in
# the query string that isn't one (?attempt_time__year=99999) is refused rather than a 500.
for axes_model, axes_model_admin in (
    (AccessAttempt, axes_admin.AccessAttemptAdmin),
    (AccessLog, axes_admin.AccessLogAdmin),
    (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
):
    admin.site.unregister(axes_model)
    checked = type(axes_model_admin.__name__, (CheckedDateHierarchy, axes_model_admin), {})
    admin.site.register(axes_model, checked)
