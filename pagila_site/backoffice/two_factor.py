"""Two-factor sign-in for the back office: who must give a code, and the devices that check it.

A staff user's second factor is an authenticator app (RFC 6238 TOTP, django-otp's ``TOTPDevice``)
with a set of one-use recovery codes for when the phone is gone (django-otp's ``StaticDevice``).
A user is *enrolled* once they have a confirmed authenticator; the recovery codes come with it and
go with it. An enrolled user's session counts for the admin only once it is verified (a code was
given at sign-in: ``django_otp.login``, read back by ``OTPMiddleware``). ``ADMIN_TWO_FACTOR``
(``DJANGO_ADMIN_2FA``) says what a user who is not enrolled may do: ``optional``, sign in with the
password alone; ``required``, nothing but enrol.

Wrong codes are counted by the devices themselves (django-otp's ``ThrottlingMixin``: after the
n-th wrong code in a row the device refuses every code, the right one too, for 2^(n-1) seconds,
until one is right), in the database, so every worker agrees. The pages are in
``two_factor_views.py``; ``manage.py two_factor_reset`` calls :func:`two_factor_remove` for an
operator whose staff member lost their phone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

REQUIRED = "required"
RECOVERY_CODES = 10
# An authenticator's code is its digits alone; anything else given is tried as a recovery code.
_TOTP_CODE = re.compile(r"[0-9]{6}")
# People copy codes with the spaces or dashes they were shown or grouped them by.
_SEPARATORS = re.compile(r"[\s-]+")


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they are enrolled."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def is_enrolled(user) -> bool:
    # Cached on the user object for the request, as Django's ModelBackend caches permissions:
    # the admin asks has_permission() several times a page.
    if not hasattr(user, "_two_factor_enrolled"):
        user._two_factor_enrolled = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    return user._two_factor_enrolled


def is_verified(user) -> bool:
    """Whether the session passed a second factor: ``OTPMiddleware``'s ``user.is_verified()``,
    read so that it also holds for a user signed in by ``auth.login`` earlier in this request."""
    return getattr(user, "otp_device", None) is not None


def session_passes(request) -> bool:
    """Whether the signed-in user's session has the second factor the policy asks of them."""
    user = request.user
    if is_verified(user):
        return True
    return not is_enrolled(user) and settings.ADMIN_TWO_FACTOR != REQUIRED


def must_enrol(user) -> bool:
    """A signed-in staff user whom ``required`` lets see nothing but the enrolment page."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and settings.ADMIN_TWO_FACTOR == REQUIRED
        and not is_enrolled(user)
    )


@dataclass(frozen=True)
class Check:
    """What became of a code: the device that took it, or why none did."""

    device: TOTPDevice | StaticDevice | None = None
    # Set when the device refused to look at the code: too many wrong ones in a row just now.
    retry_at: datetime | None = None


def check_code(user, code: str, *, authenticator_device: TOTPDevice | None = None) -> Check:
    """Try ``code`` on the one device it can be for: ``authenticator_device`` when given (the one
    being enrolled), else six digits on the user's authenticator and anything else on their
    recovery codes.

    A right code is spent (an authenticator's code and any before it are not taken again; a
    recovery code is deleted); a wrong one counts towards the device's throttle.
    """
    code = _SEPARATORS.sub("", code).lower()
    if authenticator_device is not None:
        # Enrolment: only the new app's own code proves it was set up; a recovery code must not.
        device = authenticator_device
    elif _TOTP_CODE.fullmatch(code):
        device = authenticator(user)
    else:
        device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None or not code:
        return Check()
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return Check(retry_at=details["locked_until"])
    # Locks the device's row while it checks, so two requests can't spend one code.
    return Check(device=django_otp.verify_token(user, device.persistent_id, code))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Services: every change to a user's devices, for the pages and the management command ---------


@transaction.atomic
def enrolment_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator with a fresh secret, replacing any earlier unconfirmed
    one: the secret is shown once, and a page shown again shows a new one."""
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


def pending_enrolment(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-id").first()


@transaction.atomic
def enrolment_confirm(*, user, device: TOTPDevice) -> list[str]:
    """Make ``device`` (whose code was just right) the user's authenticator, in place of any
    other, with a new set of recovery codes; returns the codes, to be shown this once."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user._two_factor_enrolled = True
    return recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user) -> list[str]:
    """A new set of recovery codes; every earlier one stops working."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": "Recovery codes"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_remove(*, user) -> bool:
    """Remove the user's authenticator and recovery codes (whether they were enrolled)."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_codes, _ = StaticDevice.objects.filter(user=user).delete()
    user._two_factor_enrolled = False
    return bool(removed or removed_codes)
