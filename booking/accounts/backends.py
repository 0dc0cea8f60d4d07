"""Signing in with a user name or an e-mail address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


def find_account(login: str | None):
    """The account someone means by `login`: a user name or an e-mail address, in any case.

    An exact user name wins; then a user name that differs only in case; then the e-mail
    address of one active account. When two accounts fit equally well nobody is found, so a
    login never lands in the wrong account.
    """
    login = (login or "").strip()
    if not login:
        return None
    users = get_user_model()._default_manager
    username_field = get_user_model().USERNAME_FIELD
    by_name = list(users.filter(**{f"{username_field}__iexact": login})[:10])
    exact = [user for user in by_name if user.get_username() == login]
    if exact:
        return exact[0]
    if by_name:
        return by_name[0] if len(by_name) == 1 else None
    by_email = list(users.filter(email__iexact=login, is_active=True)[:2])
    return by_email[0] if len(by_email) == 1 else None


class UsernameOrEmailBackend(ModelBackend):
    """Django's ModelBackend, with one field for the user name or the e-mail address.

    An unknown name costs as much time as a wrong password (a password is hashed either way),
    so the answer's timing does not tell which addresses have an account.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
