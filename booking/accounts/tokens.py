"""One-time links in invitation e-mails."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset token, with its own salt and INVITATION_VALID_DAYS to live.

    The token hashes the password, so it stops working once the invitee has set one; a
    re-invitation gives the account a new unusable password, which ends older links.
    """

    key_salt = "booking.accounts.tokens.InvitationTokenGenerator"

    @property
    def timeout(self) -> int:
        """Seconds a link works."""
        return settings.INVITATION_VALID_DAYS * 24 * 60 * 60

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= self.timeout


invitation_tokens = InvitationTokenGenerator()
