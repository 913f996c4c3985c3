"""The back office's sign-in in two steps, and the page where staff enrol or manage an authenticator.

Sign-in stays at ``/admin/login/``: step one is Django's admin form (username and password,
checked by ``django.contrib.auth.authenticate`` as ever, so the sign-in lock-outs see every
attempt). The right password signs a user in at once only where the policy (``two_factor.py``)
asks no code of them. Anyone else's session is not signed in: it only remembers, for
``PENDING_SECONDS``, who passed the password (their id, backend and password hash, so a password
changed meanwhile ends it). An enrolled user gets step two on the same URL, a form asking for a code
from their authenticator or a recovery code; the right code signs the session in (``auth.login``)
and verifies it (``django_otp.login``). With ``DJANGO_ADMIN_2FA=required`` a user who is not
enrolled goes from the password to ``/admin/two-factor/`` instead, and is signed in by their new
authenticator's first code.

``/admin/two-factor/`` enrols (a new secret and its QR code each time the page is shown, confirmed
by a code, then the recovery codes, shown once) or, for an enrolled user whose session is verified,
offers new recovery codes or the authenticator's removal, each for a current code.
"""

from __future__ import annotations

import logging
import math
import time
from base64 import b32encode

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, load_backend
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from pagila_site.backoffice import two_factor
from pagila_site.serving.clients import client_ip

logger = logging.getLogger("pagila.auth")

PENDING = "two_factor_pending"
# Long enough to find the phone and read a code; the password must be given again after it.
PENDING_SECONDS = 300
CODE_FIELD = "otp_token"


class CodeForm(forms.Form):
    """A code from the authenticator, or a recovery code."""

    otp_token = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, autofocus: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # The one thing to type on the sign-in and enrolment pages; the settings page has two.
        self.fields[CODE_FIELD].widget.attrs["autofocus"] = autofocus


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


# --- Who passed the password and waits for their second step ---------------------------------------


def _pending_start(request, user, next_url: str) -> None:
    # As auth.login does: the password of someone else ends a session signed in before, and the
    # session gets a new key, so that one planted in the browser beforehand can't take the next step.
    if request.user.is_authenticated and request.user.pk != user.pk:
        request.session.flush()
    else:
        request.session.cycle_key()
    request.session[PENDING] = {
        "user": str(user.pk),
        "backend": user.backend,
        "hash": user.get_session_auth_hash(),
        "since": time.time(),
        "next": next_url,
    }


def _pending(request):
    """The user who passed the password in this session lately and may still sign in, with what
    the session kept of it; ``(None, None)`` when there is none."""
    state = request.session.get(PENDING)
    if (
        not isinstance(state, dict)
        or time.time() - state.get("since", 0) > PENDING_SECONDS
        or state.get("backend") not in settings.AUTHENTICATION_BACKENDS
    ):
        return None, None
    try:
        user = load_backend(state["backend"]).get_user(state["user"])
    except (ImportError, KeyError, ValueError):
        return None, None
    if (
        user is None
        or not (user.is_active and user.is_staff)
        or not constant_time_compare(user.get_session_auth_hash(), state.get("hash", ""))
    ):
        return None, None
    user.backend = state["backend"]
    return user, state


def _sign_in(request, user, device) -> None:
    """The pending user signed in, the session verified by ``device``."""
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=user.backend)
    django_otp.login(request, device)


def _checked(request, user, form: CodeForm, step: str, **kwargs):
    """The device that took the form's code; else None, the form saying why, and a log line."""
    if not form.is_valid():
        return None
    check = two_factor.check_code(user, form.cleaned_data[CODE_FIELD], **kwargs)
    if check.device is not None:
        return check.device
    if check.retry_at is not None:
        seconds = max(1, math.ceil((check.retry_at - timezone.now()).total_seconds()))
        form.add_error(CODE_FIELD, f"Too many wrong codes in a row: try again in {seconds} s.")
    else:
        form.add_error(CODE_FIELD, "Wrong code, or a code already used.")
    logger.warning(
        "wrong two-factor code",
        extra={
            "username": user.get_username(),
            "client": client_ip(request),
            "step": step,
            "throttled": check.retry_at is not None,
        },
    )
    return None


def _log(request, user, message: str) -> None:
    logger.info(message, extra={"username": user.get_username(), "client": client_ip(request)})


# --- /admin/login/ -------------------------------------------------------------------------------


class PasswordStep(LoginView):
    """Django's admin login, except that the right password signs in only those of whom the
    policy asks no code; the others are given their next step."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"
    site = None

    def form_valid(self, form):
        user = form.get_user()
        next_url = self.get_success_url()
        # Another user's half-done sign-in in this browser ends here: Django's login keeps the
        # session's data, and theirs would otherwise ride along into this user's session.
        self.request.session.pop(PENDING, None)
        if two_factor.is_enrolled(user):
            _pending_start(self.request, user, next_url)
            return _code_step_page(self.site, self.request, user, CodeForm(), next_url)
        if settings.ADMIN_TWO_FACTOR == two_factor.REQUIRED:
            _pending_start(self.request, user, next_url)
            return HttpResponseRedirect(_with_next(reverse("admin:two-factor"), next_url))
        return super().form_valid(form)


def _code_step_page(site, request, user, form: CodeForm, next_url: str) -> TemplateResponse:
    context = {
        **site.each_context(request),
        "title": "Two-factor authentication",
        "subtitle": None,
        "form": form,
        "pending_username": user.get_username(),
        "app_path": request.get_full_path(),
        "restart_path": _with_next(reverse("admin:login"), next_url),
    }
    request.current_app = site.name
    return TemplateResponse(request, "admin/two_factor/code.html", context)


def _code_step(request, site):
    user, state = _pending(request)
    if user is None:
        messages.error(request, "Your sign-in timed out: enter your password again.")
        return HttpResponseRedirect(request.get_full_path())
    form = CodeForm(request.POST)
    device = _checked(request, user, form, "sign-in")
    if device is None:
        return _code_step_page(site, request, user, form, state["next"])
    _sign_in(request, user, device)
    _log(request, user, "signed in with a second factor")
    return HttpResponseRedirect(state["next"])


@sensitive_post_parameters()
@never_cache
def login(request, site, extra_context=None):
    """``/admin/login/`` (``BackOfficeSite.login``): the password step, or the code step's post."""
    if request.method == "POST" and CODE_FIELD in request.POST:
        return _code_step(request, site)
    redirect_url = LoginView().get_redirect_url(request) or reverse("admin:index", current_app=site.name)
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(redirect_url)
    if request.method == "GET" and two_factor.must_enrol(request.user):
        return HttpResponseRedirect(_with_next(reverse("admin:two-factor"), redirect_url))
    context = {
        **site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        REDIRECT_FIELD_NAME: redirect_url,
        **(extra_context or {}),
    }
    request.current_app = site.name
    return PasswordStep.as_view(extra_context=context, site=site)(request)


# --- /admin/two-factor/ ------------------------------------------------------------------------------


def _qr_code(device) -> str:
    """The authenticator's set-up link as an inline SVG QR code: no image request, nothing for
    the Content-Security-Policy to allow, and the secret never in a URL."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app", svgclass="qr-code"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup of a QR code


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TwoFactorPages:
    """``/admin/two-factor/``: enrolment, then new recovery codes or the authenticator's removal."""

    def __init__(self, site):
        self.site = site

    def urls(self) -> list:
        view = self.site.admin_view
        return [
            # Not behind admin_view: with DJANGO_ADMIN_2FA=required, those who must enrol are not
            # signed in yet (see the module); the view decides who it lets in.
            path("two-factor/", never_cache(self.enrolment), name="two-factor"),
            path(
                "two-factor/recovery-codes/",
                view(require_POST(self.new_recovery_codes)),
                name="two-factor-recovery-codes",
            ),
            path("two-factor/remove/", view(require_POST(self.remove)), name="two-factor-remove"),
        ]

    def _render(self, request, template: str, title: str, **context) -> TemplateResponse:
        request.current_app = self.site.name
        return TemplateResponse(
            request,
            f"admin/two_factor/{template}",
            {**self.site.each_context(request), "title": title, **context},
        )

    def _next(self, request) -> str:
        return LoginView().get_redirect_url(request) or reverse("admin:index", current_app=self.site.name)

    def _enrolling_user(self, request):
        """Who may use this page: a signed-in user the admin lets in or who must enrol first, or
        one who passed the password and must enrol to sign in."""
        user = request.user
        if user.is_authenticated:
            return user if self.site.has_permission(request) or two_factor.must_enrol(user) else None
        pending, _state = _pending(request)
        if pending is not None and not two_factor.is_enrolled(pending):
            return pending
        return None

    @method_decorator(sensitive_post_parameters())
    def enrolment(self, request):
        user = self._enrolling_user(request)
        if user is None:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if two_factor.is_enrolled(user):
            return self._manage_page(request, user)
        device = two_factor.pending_enrolment(user) if request.method == "POST" else None
        if device is None:
            if request.method == "POST":
                # Another tab showed a newer secret, or this one was confirmed there.
                messages.warning(request, "That set-up was replaced: scan this new code.")
            device, form = two_factor.enrolment_start(user=user), CodeForm()
        else:
            form = CodeForm(request.POST)
            if _checked(request, user, form, "enrolment", authenticator_device=device):
                return self._confirmed(request, user, device)
        return self._render(
            request,
            "enrol.html",
            "Set up two-factor authentication",
            form=form,
            qr_code=_qr_code(device),
            secret=_grouped(b32encode(device.bin_key).decode()),
            required=settings.ADMIN_TWO_FACTOR == two_factor.REQUIRED,
        )

    def _confirmed(self, request, user, device):
        codes = two_factor.enrolment_confirm(user=user, device=device)
        if request.user.is_authenticated:
            django_otp.login(request, device)
        else:
            _sign_in(request, user, device)
        _log(request, user, "enrolled a two-factor authenticator")
        return self._codes_page(request, codes, "Two-factor authentication is on")

    def _codes_page(self, request, codes: list[str], title: str) -> TemplateResponse:
        return self._render(request, "recovery_codes.html", title, codes=codes, next_url=self._next(request))

    def _manage_page(self, request, user, **forms_) -> TemplateResponse:
        return self._render(
            request,
            "manage.html",
            "Two-factor authentication",
            device=two_factor.authenticator(user),
            codes_left=two_factor.recovery_codes_left(user),
            regenerate_form=forms_.get("regenerate_form") or CodeForm(prefix="regenerate", autofocus=False),
            remove_form=forms_.get("remove_form") or CodeForm(prefix="remove", autofocus=False),
            required=settings.ADMIN_TWO_FACTOR == two_factor.REQUIRED,
        )

    @method_decorator(sensitive_post_parameters())
    def new_recovery_codes(self, request):
        user = request.user
        if not two_factor.is_enrolled(user):
            return HttpResponseRedirect(reverse("admin:two-factor"))
        form = CodeForm(request.POST, prefix="regenerate", autofocus=False)
        if not _checked(request, user, form, "new recovery codes"):
            return self._manage_page(request, user, regenerate_form=form)
        codes = two_factor.recovery_codes_replace(user=user)
        _log(request, user, "replaced two-factor recovery codes")
        return self._codes_page(request, codes, "New recovery codes")

    @method_decorator(sensitive_post_parameters())
    def remove(self, request):
        user = request.user
        if not two_factor.is_enrolled(user):
            return HttpResponseRedirect(reverse("admin:two-factor"))
        form = CodeForm(request.POST, prefix="remove", autofocus=False)
        if not _checked(request, user, form, "removal"):
            return self._manage_page(request, user, remove_form=form)
        two_factor.two_factor_remove(user=user)
        _log(request, user, "removed their two-factor authenticator")
        messages.success(request, "Your authenticator and recovery codes were removed.")
        return HttpResponseRedirect(reverse("admin:two-factor"))
