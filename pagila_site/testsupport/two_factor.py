"""An authenticator app for the tests of two-factor sign-in: codes computed from the secret
(django-otp's own RFC 6238 arithmetic), as a phone would, never written into a test.

The server takes each time step's code once (and, with its tolerance of one step, the next step's
early, then trusting the phone's clock to be that far ahead), so a test that needs several codes
within 30 seconds is given the next step's each time, exactly as the server will accept it.
"""

from __future__ import annotations

from base64 import b32decode

from django_otp.oath import TOTP, hotp

from pagila_site.backoffice import two_factor


class Authenticator:
    def __init__(self, key: bytes, *, step: int = 30, digits: int = 6):
        self.key, self.step, self.digits = key, step, digits
        self.last_t = -1
        # Steps the server believes this phone's clock is ahead (django-otp's OTP_TOTP_SYNC).
        self.drift = 0

    @classmethod
    def of(cls, device) -> Authenticator:
        return cls(device.bin_key, step=device.step, digits=device.digits)

    @classmethod
    def from_secret(cls, secret: str) -> Authenticator:
        """From the key as the enrolment page shows it (base 32, in groups)."""
        return cls(b32decode(secret.replace(" ", "").upper()))

    def code(self) -> str:
        """A code the server takes now, and will not take again."""
        now = TOTP(self.key, self.step, drift=self.drift).t()
        t = max(now, self.last_t + 1)
        assert t <= now + 1, "more codes than the server takes in one time step"
        self.drift += t - now
        self.last_t = t
        return f"{hotp(self.key, t, self.digits):0{self.digits}d}"

    def wrong_code(self) -> str:
        """Six digits that are none of the codes the server would take now."""
        now = TOTP(self.key, self.step, drift=self.drift).t()
        taken = {f"{hotp(self.key, t, self.digits):06d}" for t in range(now - 2, now + 3)}
        return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in taken)


def enrol(user) -> tuple[Authenticator, list[str]]:
    """``user`` enrolled as the enrolment page does it: their authenticator and recovery codes."""
    device = two_factor.enrolment_start(user=user)
    codes = two_factor.enrolment_confirm(user=user, device=device)
    return Authenticator.of(device), codes
