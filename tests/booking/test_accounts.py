"""Signing in and out on the public site, the lockout after wrong passwords, and resetting a
password. Contact persons log in with their user name or e-mail address; the answers never
tell whether an address has an account."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.throttle import client_ip

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "leerplein-test"
PORTAL = "/portal-for-tests/"


def url(name, language="nl", **kwargs):
    with translation.override(language):
        return reverse(f"accounts:{name}", kwargs=kwargs or None)


def in_language(language, text):
    """`text` as a visitor of that language reads it (the same once translated)."""
    with translation.override(language):
        return gettext(text)


def log_in(client, username, password=PASSWORD, language="nl", **extra):
    return client.post(
        url("login", language), {"username": username, "password": password}, **extra
    )


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def without_tokens(html: str) -> str:
    """A page without its per-response CSRF token, to compare two answers."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.fixture(autouse=True)
def _portal(settings):
    # The portal's own pages are another part of the site; a path stands in for them here.
    settings.LOGIN_REDIRECT_URL = PORTAL


@pytest.fixture
def accounts(people, english):
    return people


# -- the login page ----------------------------------------------------------------------------


def test_settings_send_contact_persons_to_the_portal_after_login():
    # The real value, before the fixture above replaces it for the other tests.
    from config.settings import base

    assert base.LOGIN_REDIRECT_URL == "portal:overview"
    assert base.LOGIN_URL == "accounts:login"
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert base.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_login_page_asks_for_a_name_or_address_and_offers_no_sign_up(
    client, site_tree, language, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = client.get(url("login", language))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert html.count("<h1") == 1
    assert f"<title>{in_language(language, 'Log in')} | Leerplein</title>" in html
    assert 'name="username"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert in_language(language, "E-mail address or user name") in html
    assert url("password_reset", language) in html
    contact = (
        site_tree.contact
        if language == "nl"
        else site_tree.translate(site_tree.contact, site_tree.english)
    )
    assert f'href="{contact.url}"' in client.get(url("login", language)).content.decode()
    assert "register" not in html.lower() and "sign up" not in html.lower()
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html


def test_contact_person_logs_in_with_user_name(client, accounts):
    response = log_in(client, "contact-promen")
    assert response.status_code == 302
    assert response["Location"] == PORTAL
    assert logged_in_user_id(client) == str(accounts.contact_promen.pk)


def test_contact_person_logs_in_with_e_mail_address_in_any_case(client, accounts):
    response = log_in(client, "  Contact-Promen@Example.TEST ")
    assert response["Location"] == PORTAL
    assert logged_in_user_id(client) == str(accounts.contact_promen.pk)


def test_coordinators_go_to_the_admin_after_logging_in_here(client, accounts):
    response = log_in(client, "coordinator-gouda")
    assert response["Location"] == reverse("wagtailadmin_home")


def test_an_address_shared_by_two_accounts_logs_nobody_in(client, accounts):
    UserFactory(username="someone-else", email="contact-promen@example.test")
    response = log_in(client, "contact-promen@example.test")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    # The user name itself still works.
    assert log_in(client, "contact-promen")["Location"] == PORTAL


@pytest.mark.parametrize("language", ["nl", "en"])
def test_wrong_password_gets_a_plain_message_and_keeps_what_was_typed(client, accounts, language):
    response = log_in(client, "contact-promen", "not-my-password", language)
    html = response.content.decode()
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    message = in_language(
        language, "The e-mail address, user name or password is not right. Please try again."
    )
    assert message in html
    assert 'class="error-summary"' in html
    assert 'value="contact-promen"' in html
    assert "not-my-password" not in html


def test_unknown_and_known_addresses_get_the_same_answer(accounts):
    known, unknown = Client(), Client()
    for_known = log_in(known, "contact-promen@example.test", "wrong-password")
    for_unknown = log_in(unknown, "nobody@example.test", "wrong-password")
    assert for_known.status_code == for_unknown.status_code == 200
    assert without_tokens(for_known.content.decode()).replace(
        "contact-promen@example.test", "ADDRESS"
    ) == without_tokens(for_unknown.content.decode()).replace("nobody@example.test", "ADDRESS")


def test_switched_off_account_gets_the_same_answer_as_a_wrong_password(client, accounts):
    accounts.contact_promen.is_active = False
    accounts.contact_promen.save()
    response = log_in(client, "contact-promen")
    assert response.status_code == 200
    message = "The e-mail address, user name or password is not right. Please try again."
    assert in_language("nl", message) in response.content.decode()
    assert logged_in_user_id(client) is None


def test_next_is_followed_only_within_the_site(client, accounts):
    login = url("login")
    response = client.post(
        f"{login}?next=/nl/zoeken/", {"username": "contact-promen", "password": PASSWORD}
    )
    assert response["Location"] == "/nl/zoeken/"
    client.logout()
    for elsewhere in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
        response = client.post(
            f"{login}?next={elsewhere}", {"username": "contact-promen", "password": PASSWORD}
        )
        assert response["Location"] == PORTAL, elsewhere
        client.logout()


def test_login_form_keeps_next_in_its_action(client, accounts):
    response = client.get(url("login") + "?next=/nl/zoeken/")
    assert f'action="{url("login")}?next=/nl/zoeken/"' in response.content.decode()


def test_a_logged_in_visitor_of_the_login_page_goes_on(client, accounts):
    client.force_login(accounts.contact_promen)
    assert client.get(url("login"))["Location"] == PORTAL


def test_the_session_key_changes_at_login(client, accounts):
    session = client.session
    session["seen_course"] = "klik-en-tik"
    session.save()
    before = session.session_key
    log_in(client, "contact-promen")
    assert client.session.session_key != before
    assert not SessionStore(before).exists(before)


def test_login_without_csrf_token_is_refused(accounts):
    client = Client(enforce_csrf_checks=True)
    response = log_in(client, "contact-promen")
    assert response.status_code == 403
    assert logged_in_user_id(client) is None


# -- logging out -------------------------------------------------------------------------------


def test_logout_by_get_does_not_log_out(client, accounts):
    log_in(client, "contact-promen")
    response = client.get(url("logout"))
    assert response.status_code == 405
    assert logged_in_user_id(client) == str(accounts.contact_promen.pk)


def test_after_logout_the_old_session_cookie_grants_nothing(client, accounts):
    log_in(client, "coordinator-gouda")
    assert client.get("/admin/").status_code == 200
    old_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    response = client.post(url("logout", "en"))
    assert response.status_code == 200
    assert in_language("en", "You are logged out") in response.content.decode()
    assert "no-store" in response["Cache-Control"]

    assert not SessionStore(old_cookie).exists(old_cookie)
    thief = Client()
    thief.cookies[django_settings.SESSION_COOKIE_NAME] = old_cookie
    response = thief.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_contact_persons_have_no_admin(client, accounts):
    log_in(client, "contact-promen")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    assert not accounts.contact_promen.has_perm("wagtailadmin.access_admin")


# -- the header --------------------------------------------------------------------------------


def test_header_offers_log_in_to_visitors_and_log_out_to_signed_in_users(client, course_site):
    contact = UserFactory(username="contact-header")
    logout = f'action="{url("logout")}"'

    html = client.get("/nl/").content.decode()
    assert f'href="{url("login")}"' in html
    assert logout not in html

    client.force_login(contact)
    html = client.get("/nl/").content.decode()
    assert logout in html and 'method="post"' in html
    assert f'href="{url("login")}"' not in html

    # The visitor's header, cached before, does not show someone else's account.
    client.logout()
    html = Client().get("/nl/").content.decode()
    assert logout not in html


# -- lockout after wrong passwords ------------------------------------------------------------


def fail(client, username, times, **extra):
    return [log_in(client, username, "wrong-password", **extra).status_code for _ in range(times)]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_five_wrong_passwords_lock_the_account(client, accounts, language):
    statuses = fail(client, "contact-promen", 4)
    assert statuses == [200] * 4
    fifth = log_in(client, "contact-promen", "wrong-password", language)
    assert fifth.status_code == 429

    response = log_in(client, "contact-promen", PASSWORD, language)
    html = response.content.decode()
    assert response.status_code == 429
    assert logged_in_user_id(client) is None
    assert f'<html lang="{language}">' in html
    assert html.count("<h1") == 1
    assert in_language(language, "Your account is locked") in html
    with translation.override(language):
        assert "30" in html and url("password_reset", language) in html
    assert response["Retry-After"] == str(30 * 60)
    assert "no-store" in response["Cache-Control"]


def test_lockout_counts_one_account_however_its_name_is_typed(client, accounts):
    names = ["contact-promen", "CONTACT-PROMEN", "contact-promen@example.test", " Contact-Promen"]
    for name in [*names, "contact-promen@EXAMPLE.test"]:
        log_in(client, name, "wrong-password", REMOTE_ADDR="10.0.0.1")
    response = log_in(client, "contact-promen", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429


def test_forged_forwarded_for_does_not_get_around_the_user_name_lockout(client, accounts):
    for number in range(5):
        log_in(client, "contact-promen", "wrong-password", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    response = log_in(client, "contact-promen", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_forged_forwarded_for_does_not_get_around_the_address_lockout(client, accounts):
    for number in range(5):
        log_in(
            client,
            "contact-konnected",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = log_in(client, "contact-konnected", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert logged_in_user_id(client) is None
    # From another address the owner still gets in.
    assert log_in(Client(), "contact-konnected", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_added(
    client, accounts, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for number in range(5):
        log_in(
            client,
            "contact-konnected",
            "wrong-password",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.7",
            **proxy,
        )
    forged = log_in(
        client, "contact-konnected", HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.7", **proxy
    )
    assert forged.status_code == 429
    someone_else = log_in(
        Client(), "contact-konnected", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy
    )
    assert someone_else.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.1"}, "192.0.2.1"),
        (
            2,
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.1, 10.0.0.1"},
            "192.0.2.1",
        ),
        (2, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "10.0.0.1"}, "10.0.0.1"),
    ],
)
def test_client_address(rf, settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(rf.post("/", **meta)) == expected


def test_a_successful_login_resets_the_count(client, accounts):
    assert fail(client, "contact-promen", 4) == [200] * 4
    assert log_in(client, "contact-promen").status_code == 302
    client.post(url("logout"))
    assert fail(client, "contact-promen", 4) == [200] * 4
    assert log_in(client, "contact-promen").status_code == 302


def test_the_lockout_ends_after_the_cool_off_time(client, accounts):
    fail(client, "contact-promen", 5)
    assert log_in(client, "contact-promen").status_code == 429
    earlier = timezone.now() - django_settings.AXES_COOLOFF_TIME
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time = earlier - datetime.timedelta(minutes=1)
        attempt.save()
    assert log_in(client, "contact-promen").status_code == 302


def test_admin_login_still_works_and_is_throttled_too(client, accounts):
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "coordinator-gouda", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    client.logout()
    for _ in range(5):
        response = client.post(
            reverse("wagtailadmin_login"),
            {"username": "coordinator-gouda", "password": "wrong-password"},
        )
    assert response.status_code == 429
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "coordinator-gouda", "password": PASSWORD}
    )
    assert response.status_code == 429


# -- password reset ----------------------------------------------------------------------------


def ask_reset(client, email, language="nl"):
    return client.post(url("password_reset", language), {"email": email})


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_reset_pages_are_plain_and_never_cached(client, accounts):
    for name in ["password_reset", "password_reset_done", "password_reset_complete"]:
        response = client.get(url(name))
        html = response.content.decode()
        assert response.status_code == 200, name
        assert html.count("<h1") == 1, name
        assert "no-store" in response["Cache-Control"], name
    assert 'autocomplete="email"' in client.get(url("password_reset")).content.decode()


def test_reset_answers_the_same_for_known_and_unknown_addresses(accounts):
    known = ask_reset(Client(), "contact-promen@example.test")
    unknown = ask_reset(Client(), "nobody@example.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == url("password_reset_done")
    assert [message.to for message in mail.outbox] == [["contact-promen@example.test"]]
    done_known = Client().get(known["Location"]).content.decode()
    done_unknown = Client().get(unknown["Location"]).content.decode()
    assert without_tokens(done_known) == without_tokens(done_unknown)


def test_reset_mail_goes_only_to_active_accounts(accounts):
    accounts.contact_promen.is_active = False
    accounts.contact_promen.save()
    ask_reset(Client(), "contact-promen@example.test")
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_reset_mail_is_in_the_users_own_language(accounts, language):
    membership = accounts.contact_promen.membership
    membership.language = language
    membership.save()
    other = "en" if language == "nl" else "nl"
    ask_reset(Client(), "contact-promen@example.test", language=other)

    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == language
    assert message.subject == in_language(language, "Choose a new password for Leerplein")
    assert link_in(message).startswith(f"http://testserver/{language}/")
    html = message.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert link_in(message) in html
    assert "contact-promen" in message.body


def test_reset_mail_without_membership_uses_the_page_language(accounts):
    ask_reset(Client(), "admin@example.test", language="en")
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "en"
    assert link_in(message).startswith("http://testserver/en/account/")


def test_reset_link_sets_a_new_password_once_and_lifts_a_lockout(client, accounts):
    fail(Client(), "contact-promen", 5, REMOTE_ADDR="192.0.2.1")
    assert log_in(Client(), "contact-promen", REMOTE_ADDR="192.0.2.1").status_code == 429

    ask_reset(client, "contact-promen@example.test")
    link = link_in(mail.outbox[0]).removeprefix("http://testserver")
    form = client.get(link, follow=True)
    html = form.content.decode()
    assert 'autocomplete="new-password"' in html
    assert html.count("<h1") == 1
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-secret-42", "new_password2": "a-new-secret-42"},
    )
    assert done["Location"] == url("password_reset_complete")

    assert (
        log_in(Client(), "contact-promen", "a-new-secret-42", REMOTE_ADDR="192.0.2.1")["Location"]
        == PORTAL
    )
    again = Client().get(link, follow=True)
    assert in_language("nl", "This link no longer works") in again.content.decode()
    assert url("password_reset") in again.content.decode()


def test_new_password_mismatch_shows_errors_and_changes_nothing(client, accounts):
    ask_reset(client, "contact-promen@example.test")
    link = link_in(mail.outbox[0]).removeprefix("http://testserver")
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-secret-42", "new_password2": "another-secret-42"},
    )
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    accounts.contact_promen.refresh_from_db()
    assert accounts.contact_promen.check_password(PASSWORD)
