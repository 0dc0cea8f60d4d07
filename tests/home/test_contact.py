import pytest
from django.core import mail
from wagtail.contrib.forms.models import FormSubmission

pytestmark = pytest.mark.django_db

VALID = {
    "organisatie": "Bibliotheek Gouda",
    "soort_organisatie": "Bibliotheek",
    "gemeente": "Gouda",
    "e_mailadres": "taalhuis@example.nl",
    "bericht": "Wij willen graag samenwerken met een SW-bedrijf.",
}


def test_valid_message_is_kept_and_emailed(client, site_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site_tree.contact.url, VALID)
    assert response.status_code == 200
    assert "contact_page_landing" in response.templates[0].name
    submission = FormSubmission.objects.get(page=site_tree.contact)
    assert submission.get_data()["gemeente"] == "Gouda"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["redactie@leerplein.test"]
    assert "Bibliotheek Gouda" in mail.outbox[0].body


def test_empty_form_shows_messages_next_to_the_fields(client, site_tree):
    response = client.post(site_tree.contact.url, {})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'id="id_organisatie_error"' in html
    assert 'id="id_soort_organisatie_error"' in html, "the drop-down starts empty"
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_organisatie_error"' in html
    assert FormSubmission.objects.count() == 0


def test_malformed_email_is_refused_and_what_was_typed_is_kept(client, site_tree):
    data = {**VALID, "e_mailadres": "geen-adres", "bericht": "Mijn bericht blijft staan."}
    response = client.post(site_tree.contact.url, data)
    html = response.content.decode()
    assert 'id="id_e_mailadres_error"' in html
    assert 'value="geen-adres"' in html
    assert "Mijn bericht blijft staan." in html
    assert 'value="Bibliotheek Gouda"' in html
    assert FormSubmission.objects.count() == 0


def test_unknown_kind_of_organisation_is_refused(client, site_tree):
    response = client.post(site_tree.contact.url, {**VALID, "soort_organisatie": "Ruimtevaart"})
    assert 'id="id_soort_organisatie_error"' in response.content.decode()
    assert FormSubmission.objects.count() == 0


def test_honeypot_catches_bots_without_telling_them(
    client, site_tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(site_tree.contact.url, {**VALID, "website": "http://spam.example"})
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 0
    assert mail.outbox == []


def test_honeypot_is_hidden_from_people(client, site_tree):
    html = client.get(site_tree.contact.url).content.decode()
    assert '<div class="honeypot" aria-hidden="true">' in html
    assert 'tabindex="-1"' in html
