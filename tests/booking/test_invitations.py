"""Inviting contact persons: the account, the e-mail with its one-time link, and the admin
form for coordinators."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from booking.accounts.invitations import invite_contact_person
from booking.accounts.tokens import invitation_tokens
from booking.models import Membership

from .admin_helpers import refused
from .factories import UserFactory

pytestmark = pytest.mark.django_db

PORTAL = "/portal-for-tests/"
INVITE = "/admin/course-planning/invite/"
NEW_PASSWORD = "a-new-secret-42"


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.LOGIN_REDIRECT_URL = PORTAL


def invite(people, **changes):
    details = {
        "email": "Jan.Jansen@Promen.example",
        "first_name": "Jan",
        "last_name": "Jansen",
        "organisation": people.promen,
        "language": "nl",
        "invited_by": people.coordinator_gouda,
    }
    details.update(changes)
    return invite_contact_person(**details)


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def set_password(client, link, password=NEW_PASSWORD):
    """Open the invitation link and choose a password; the last response."""
    page = client.get(path_of(link), follow=True)
    assert page.status_code == 200
    return client.post(
        page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def in_language(language, text):
    with translation.override(language):
        return gettext(text)


# -- the account and the e-mail ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_invitation_makes_an_account_without_password_and_mails_the_link(people, english, language):
    people.coordinator_gouda.first_name, people.coordinator_gouda.last_name = "Els", "de Wit"
    people.coordinator_gouda.save()
    invitation = invite(people, language=language)
    user = invitation.user

    assert user.username == "jan.jansen"
    assert user.email == "Jan.Jansen@promen.example"
    assert (user.first_name, user.last_name) == ("Jan", "Jansen")
    assert not user.has_usable_password()
    assert not user.is_staff and not user.has_perm("wagtailadmin.access_admin")
    assert (user.membership.organisation, user.membership.language) == (people.promen, language)

    (message,) = mail.outbox
    assert message.to == ["Jan.Jansen@promen.example"]
    assert message.reply_to == [people.coordinator_gouda.email]
    assert message.extra_headers["Content-Language"] == language
    with translation.override(language):
        subject = gettext("Your Leerplein account for %(organisation)s") % {
            "organisation": "Promen"
        }
        until = date_format(invitation.valid_until, "DATETIME_FORMAT")
    assert message.subject == subject.replace("%(organisation)s", "Promen")
    link = link_in(message)
    assert link == invitation.link
    assert link.startswith(f"http://testserver/{language}/account/")
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert "Promen" in part and "Els de Wit" in part
        assert until in part
        assert "jan.jansen" in part
    assert f'href="{link}"' in html
    assert f'lang="{language}"' in html
    assert (invitation.valid_until - datetime.timedelta(days=7)).date() == timezone.localdate()


def test_invitation_link_is_on_the_configured_site_url(people, settings):
    settings.SITE_URL = "https://leerplein.example"
    invitation = invite(people)
    assert invitation.link.startswith("https://leerplein.example/nl/account/")


def test_user_names_are_unique(people):
    UserFactory(username="jan.jansen")
    assert invite(people).user.username == "jan.jansen-2"


def test_names_are_escaped_in_the_html_mail(people):
    invite(people, first_name="<script>alert(1)</script>", last_name="<b>Bold</b>")
    people.coordinator_gouda.first_name = "<img src=x onerror=alert(1)>"
    people.coordinator_gouda.save()
    invite(people, email="piet@promen.example", first_name="Piet")
    first, second = (message.alternatives[0][0] for message in mail.outbox)
    assert "<script>" not in first and "&lt;script&gt;alert(1)&lt;/script&gt;" in first
    assert "<img" not in second and "&lt;img src=x onerror=alert(1)&gt;" in second


# -- the link ----------------------------------------------------------------------------------


def test_the_link_sets_the_password_logs_in_and_goes_to_the_portal(people, english):
    invitation = invite(people, language="en")
    client = Client()
    page = client.get(path_of(invitation.link), follow=True)
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert in_language("en", "Welcome to Leerplein") in html
    assert "Promen" in html and "jan.jansen" in html
    assert 'autocomplete="new-password"' in html
    assert "no-store" in page["Cache-Control"]

    response = set_password(client, invitation.link)
    assert response.status_code == 302
    assert response["Location"] == PORTAL
    assert client.session[SESSION_KEY] == str(invitation.user.pk)
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(NEW_PASSWORD)

    # Once used, the same link says so and offers the password-reset page.
    again = Client().get(path_of(invitation.link), follow=True)
    html = again.content.decode()
    assert in_language("en", "This invitation link no longer works") in html
    assert reverse("accounts:password_reset") in html or "/account/password/" in html
    assert 'name="new_password1"' not in html


def test_a_too_weak_password_is_refused_on_the_form(people):
    invitation = invite(people)
    client = Client()
    response = set_password(client, invitation.link, password="12345678")
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    invitation.user.refresh_from_db()
    assert not invitation.user.has_usable_password()
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(("days", "works"), [(6, True), (7, True), (8, False)])
def test_the_link_expires_after_the_validity_period(people, monkeypatch, days, works):
    invitation = invite(people)
    later = datetime.datetime.now() + datetime.timedelta(days=days, minutes=-1 if works else 0)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    page = Client().get(path_of(invitation.link), follow=True)
    assert ('name="new_password1"' in page.content.decode()) is works


def test_validity_period_is_a_setting(people, settings, monkeypatch):
    settings.INVITATION_VALID_DAYS = 2
    invitation = invite(people)
    later = datetime.datetime.now() + datetime.timedelta(days=3)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    page = Client().get(path_of(invitation.link), follow=True)
    assert 'name="new_password1"' not in page.content.decode()


def test_an_expired_invitation_can_still_end_in_a_password_via_reset(people):
    invite(people)
    Client().post(reverse("accounts:password_reset"), {"email": "jan.jansen@promen.example"})
    assert len(mail.outbox) == 2
    assert reverse("accounts:password_reset") in link_in(mail.outbox[1])


def test_a_password_reset_link_is_no_invitation_link(people):
    invitation = invite(people)
    uid = path_of(invitation.link).split("/")[-3]
    reset_token = default_token_generator.make_token(invitation.user)
    page = Client().get(
        reverse("accounts:invitation", kwargs={"uidb64": uid, "token": reset_token}),
        follow=True,
    )
    assert 'name="new_password1"' not in page.content.decode()


def test_inviting_again_sends_a_new_link_and_ends_the_old_one(people):
    first = invite(people, first_name="Jan")
    second = invite(people, first_name="Johannes", language="en")
    assert second.user.pk == first.user.pk
    assert get_user_model().objects.filter(email__iexact="jan.jansen@promen.example").count() == 1
    second.user.refresh_from_db()
    assert second.user.first_name == "Johannes"
    assert Membership.objects.get(user=second.user).language == "en"
    assert len(mail.outbox) == 2

    old = Client().get(path_of(first.link), follow=True)
    assert 'name="new_password1"' not in old.content.decode()
    assert set_password(Client(), second.link)["Location"] == PORTAL


# -- refusals ----------------------------------------------------------------------------------


def refusal(people, **changes):
    """The messages of a refused invitation, read in English."""
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        invite(people, **changes)
    return caught.value.message_dict


def test_refuses_a_library(people):
    errors = refusal(people, organisation=people.gouda)
    assert "SW company" in errors["organisation"][0]
    assert not get_user_model().objects.filter(email__iexact="jan.jansen@promen.example").exists()
    assert mail.outbox == []


def test_refuses_an_address_with_an_account_in_use(people):
    errors = refusal(people, email="CONTACT-PROMEN@example.test")
    assert "already an account" in errors["email"][0]
    people.contact_promen.refresh_from_db()
    assert people.contact_promen.check_password("leerplein-test")
    assert mail.outbox == []


def test_refuses_someone_invited_for_another_company(people):
    invite(people)
    errors = refusal(people, organisation=people.konnected)
    assert "Promen" in errors["email"][0]
    assert len(mail.outbox) == 1


# -- the admin form ----------------------------------------------------------------------------


def form_data(people, **changes):
    data = {
        "email": "jan.jansen@promen.example",
        "first_name": "Jan",
        "last_name": "Jansen",
        "organisation": people.promen.pk,
        "language": "en",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["coordinator_gouda", "admin"])
def test_coordinators_and_superusers_invite_from_the_admin(client, people, who):
    client.force_login(getattr(people, who))
    page = client.get(INVITE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html and 'name="organisation"' in html
    assert "Promen" in html and "KonnecteD" in html and "Bibliotheek Gouda" not in html
    assert f'"{INVITE}"' in client.get("/admin/").content.decode()

    response = client.post(INVITE, form_data(people), follow=True)
    assert response.redirect_chain[-1][0] == INVITE
    assert "jan.jansen@promen.example" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["jan.jansen@promen.example"]
    assert link_in(message).startswith("http://testserver/en/account/invitation/")


def test_others_cannot_invite(client, people):
    assert client.get(INVITE)["Location"].startswith(reverse("wagtailadmin_login"))

    client.force_login(people.contact_promen)
    assert refused(client, INVITE)
    assert refused(client, INVITE, form_data(people), method="post")

    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert refused(client, INVITE)
    assert refused(client, INVITE, form_data(people), method="post")
    assert f'"{INVITE}"' not in client.get("/admin/").content.decode()
    assert mail.outbox == []
    assert not get_user_model().objects.filter(email="jan.jansen@promen.example").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"language": "de"}, "language"),
        ({"email": "contact-konnected@example.test"}, "email"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_changes_nothing(client, people, changes, field):
    client.force_login(people.coordinator_gouda)
    users = get_user_model().objects.count()
    response = client.post(INVITE, form_data(people, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    html = response.content.decode()
    assert "cp-error-summary" in html
    assert f'value="{form_data(people, **changes)["email"]}"' in html
    assert get_user_model().objects.count() == users
    assert mail.outbox == []


def test_a_library_is_no_choice_on_the_form(client, people):
    client.force_login(people.coordinator_gouda)
    response = client.post(INVITE, form_data(people, organisation=people.gouda.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert mail.outbox == []
