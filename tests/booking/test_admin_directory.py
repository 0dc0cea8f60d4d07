"""The directory in the admin: organisations, locations and people.

Superusers manage everything; coordinators see organisations and locations, look after their
own library's locations and see their own library's people. Typed URLs for another
library's rows are refused.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from wagtail.users.models import UserProfile

from booking.models import Location, Membership, Organisation

from .admin_helpers import refused
from .factories import CourseGroupFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(viewset, view, *args):
    return reverse(f"booking_{viewset}:{view}", args=args)


def location_form(location, **changes):
    data = {
        "name": location.name,
        "kind": location.kind,
        "organisation": location.organisation_id,
        "street_address": location.street_address,
        "postal_code": location.postal_code,
        "city": location.city,
        "accessibility_notes": location.accessibility_notes,
    }
    data.update(changes)
    return data


@pytest.fixture
def places(people):
    for user in (people.coordinator_gouda, people.coordinator_deventer, people.admin):
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
    people.gouda_place = LocationFactory(organisation=people.gouda, name="Bibliotheek Gouda")
    people.deventer_place = LocationFactory(
        organisation=people.deventer, name="Bibliotheek Deventer", city="Deventer"
    )
    people.promen_place = LocationFactory(
        organisation=people.promen, name="Promen Gouda", kind=Location.Kind.SW_COMPANY
    )
    return people


# -- organisations -----------------------------------------------------------------------------


def test_coordinators_see_organisations_but_cannot_change_them(client, places):
    client.force_login(places.coordinator_gouda)

    listing = client.get(url("organisations", "index"))

    assert listing.status_code == 200
    html = listing.content.decode()
    for name in ("Bibliotheek Gouda", "Bibliotheek Deventer", "Promen", "KonnecteD"):
        assert name in html
    assert url("organisations", "add") not in html
    assert url("organisations", "edit", places.gouda.pk) not in html
    assert client.get(url("organisations", "inspect", places.deventer.pk)).status_code == 200
    assert refused(client, url("organisations", "add"))
    assert refused(client, url("organisations", "edit", places.gouda.pk))
    assert refused(
        client, url("organisations", "edit", places.gouda.pk), {"name": "Gekaapt"}, "post"
    )
    assert refused(client, url("organisations", "delete", places.deventer.pk), method="post")
    assert Organisation.objects.get(pk=places.gouda.pk).name == "Bibliotheek Gouda"
    assert Organisation.objects.filter(pk=places.deventer.pk).exists()


def test_superusers_add_and_edit_organisations(client, places):
    client.force_login(places.admin)
    data = {"name": "Bibliotheek Rivierenland", "slug": "bibliotheek-rivierenland"}
    data.update(kind="library", municipality="Tiel", province="gelderland")

    created = client.post(url("organisations", "add"), data)
    changed = client.post(
        url("organisations", "edit", places.promen.pk),
        {"name": "Promen Werkt", "slug": "promen", "kind": "sw_company"},
    )

    assert created.status_code == 302
    assert Organisation.objects.get(slug="bibliotheek-rivierenland").municipality == "Tiel"
    assert changed.status_code == 302
    assert Organisation.objects.get(pk=places.promen.pk).name == "Promen Werkt"


def test_an_organisation_in_use_is_not_deleted(client, places, course):
    CourseGroupFactory(course=course, library=places.gouda, location=places.gouda_place)
    client.force_login(places.admin)

    response = client.post(url("organisations", "delete", places.gouda.pk), follow=True)

    assert response.status_code == 200
    assert Organisation.objects.filter(pk=places.gouda.pk).exists()


# -- locations ---------------------------------------------------------------------------------


def test_coordinators_see_every_location_and_may_edit_their_own_only(client, places):
    client.force_login(places.coordinator_gouda)

    html = client.get(url("locations", "index")).content.decode()

    for name in ("Bibliotheek Gouda", "Bibliotheek Deventer", "Promen Gouda"):
        assert name in html
    assert url("locations", "edit", places.gouda_place.pk) in html
    assert url("locations", "edit", places.deventer_place.pk) not in html
    assert url("locations", "edit", places.promen_place.pk) not in html
    assert url("locations", "inspect", places.deventer_place.pk) in html


def test_coordinators_edit_their_own_librarys_location(client, places):
    client.force_login(places.coordinator_gouda)
    place = places.gouda_place

    response = client.post(
        url("locations", "edit", place.pk), location_form(place, accessibility_notes="Lift kapot")
    )

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.accessibility_notes == "Lift kapot"
    assert client.get(url("locations", "history", place.pk)).status_code == 200


def test_typed_urls_for_another_librarys_location_are_refused(client, places):
    client.force_login(places.coordinator_gouda)
    theirs = places.deventer_place

    assert refused(client, url("locations", "edit", theirs.pk))
    assert refused(
        client, url("locations", "edit", theirs.pk), location_form(theirs, name="Gekaapt"), "post"
    )
    assert refused(client, url("locations", "delete", theirs.pk))
    assert refused(client, url("locations", "delete", theirs.pk), method="post")
    assert refused(client, url("locations", "edit", places.promen_place.pk))
    assert refused(client, url("locations", "history", theirs.pk))
    assert refused(client, url("locations", "usage", theirs.pk))
    assert client.get(url("locations", "inspect", theirs.pk)).status_code == 200
    theirs.refresh_from_db()
    assert theirs.name == "Bibliotheek Deventer"


def test_coordinators_cannot_delete_even_their_own_locations(client, places):
    client.force_login(places.coordinator_gouda)

    assert refused(client, url("locations", "delete", places.gouda_place.pk), method="post")
    assert Location.objects.filter(pk=places.gouda_place.pk).exists()


def test_a_new_location_of_a_coordinator_belongs_to_their_library(client, places):
    client.force_login(places.coordinator_gouda)
    form = client.get(url("locations", "add")).context["form"]
    assert list(form.fields["organisation"].queryset) == [places.gouda]
    new = LocationFactory.build(organisation=places.gouda, name="Wijkcentrum Bloemendaal")

    smuggled = client.post(
        url("locations", "add"), location_form(new, organisation=places.deventer.pk)
    )
    created = client.post(url("locations", "add"), location_form(new))

    assert smuggled.status_code == 200  # the form, with an error
    assert "organisation" in smuggled.context["form"].errors
    assert created.status_code == 302
    assert Location.objects.get(name="Wijkcentrum Bloemendaal").organisation == places.gouda


def test_a_coordinator_cannot_move_a_location_to_another_library(client, places):
    client.force_login(places.coordinator_gouda)
    place = places.gouda_place

    response = client.post(
        url("locations", "edit", place.pk), location_form(place, organisation=places.deventer.pk)
    )

    assert response.status_code == 200
    place.refresh_from_db()
    assert place.organisation == places.gouda


def test_superusers_edit_any_location_and_a_used_one_stays(client, places, course):
    CourseGroupFactory(course=course, library=places.deventer, location=places.deventer_place)
    client.force_login(places.admin)

    edited = client.post(
        url("locations", "edit", places.deventer_place.pk),
        location_form(places.deventer_place, organisation=places.deventer.pk, city="Diepenveen"),
    )
    deleted = client.post(url("locations", "delete", places.deventer_place.pk), follow=True)

    assert edited.status_code == 302
    assert Location.objects.get(pk=places.deventer_place.pk).city == "Diepenveen"
    assert deleted.status_code == 200
    assert Location.objects.filter(pk=places.deventer_place.pk).exists()


def test_superusers_delete_an_unused_location(client, places):
    client.force_login(places.admin)

    response = client.post(url("locations", "delete", places.promen_place.pk))

    assert response.status_code == 302
    assert not Location.objects.filter(pk=places.promen_place.pk).exists()


# -- people ------------------------------------------------------------------------------------


def test_coordinators_see_only_their_own_librarys_people(client, places):
    colleague = UserFactory(username="collega-gouda", organisation=places.gouda)
    client.force_login(places.coordinator_gouda)

    response = client.get(url("people", "index"))

    assert response.status_code == 200
    shown = {membership.user.username for membership in response.context["object_list"]}
    assert shown == {"coordinator-gouda", colleague.username}
    html = response.content.decode()
    assert "coordinator-deventer" not in html
    assert "contact-promen" not in html
    assert url("people", "add") not in html


def test_typed_urls_for_other_people_are_refused(client, places):
    client.force_login(places.coordinator_gouda)
    deventer = Membership.objects.get(user=places.coordinator_deventer)
    own = Membership.objects.get(user=places.coordinator_gouda)

    assert client.get(url("people", "inspect", own.pk)).status_code == 200
    assert refused(client, url("people", "inspect", deventer.pk))
    assert refused(client, url("people", "edit", own.pk))
    assert refused(client, url("people", "edit", own.pk), {"phone": "06"}, "post")
    assert refused(client, url("people", "delete", deventer.pk), method="post")
    assert refused(client, url("people", "add"))
    assert Membership.objects.filter(pk=deventer.pk).exists()


def test_superusers_link_a_person_to_an_organisation(client, places):
    newcomer = UserFactory(username="nieuw")
    client.force_login(places.admin)

    response = client.post(
        url("people", "add"),
        {"user": newcomer.pk, "organisation": places.deventer.pk, "phone": "", "language": "nl"},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).organisation == places.deventer
    listing = client.get(url("people", "index")).context["object_list"]
    assert len(listing) == Membership.objects.count()


# -- for everyone ------------------------------------------------------------------------------


@pytest.mark.parametrize("viewset", ["organisations", "locations", "people"])
def test_people_without_a_library_get_no_directory(client, places, viewset, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for user in (editor, places.contact_promen):
        client.force_login(user)
        assert refused(client, url(viewset, "index"))


@pytest.mark.parametrize("viewset", ["organisations", "locations", "people"])
def test_directory_lists_need_a_fixed_number_of_queries(
    client, places, viewset, django_assert_max_num_queries
):
    client.force_login(places.coordinator_gouda)
    client.get(url(viewset, "index"))
    with django_assert_max_num_queries(40) as few:
        client.get(url(viewset, "index"))
    for number in range(12):
        UserFactory(username=f"collega-{number}", organisation=places.gouda)
        LocationFactory(organisation=places.gouda, name=f"Filiaal {number}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(viewset, "index"))

    assert response.status_code == 200


def test_names_are_escaped(client, places):
    LocationFactory(organisation=places.gouda, name="<script>alert(1)</script>")
    client.force_login(places.coordinator_gouda)

    html = client.get(url("locations", "index")).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_menu_lists_the_directory_for_coordinators(client, places):
    client.force_login(places.coordinator_gouda)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert url("locations", "index") in html
    assert url("organisations", "index") in html
    assert url("people", "index") in html


def test_coordinators_menu_has_no_page_translation_report(client, people):
    report = reverse("wagtail_localize:translations_report")

    client.force_login(people.coordinator_gouda)
    assert report not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(people.admin)
    assert report in client.get(reverse("wagtailadmin_home")).content.decode()
