"""Builds the demo site from the content files (demo/content/, read by demo.data) and the
course groups in demo.groups.

Every step looks for what already exists (by slug, title or username) and only adds what is
missing; existing content is left as it is (an English alias becomes a real translation). So
running load_demo twice changes nothing, and edits made in the admin between runs are kept.
Course groups are planned, and booked, only for a course that has no groups yet.
"""

from collections import Counter

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site, TranslatableMixin
from wagtail_localize.models import LocaleSynchronization

from booking.models import (
    Booking,
    CourseGroup,
    Location,
    Membership,
    Organisation,
    TrainerAssignment,
)
from booking.roles import ensure_coordinator_group
from booking.services import assign_trainer
from core.site_url import site_address, sync_default_site
from home.editorial import ensure_editorial_setup
from home.models import FeaturedStory, SiteSettings
from stories.models import Theme

from .accounts import DEMO_ACCOUNTS, ensure_account
from .bilingual import (
    OrganisationRef,
    PageLink,
    ThemeRef,
    english_strings,
    in_dutch,
    references,
)
from .data import PageSpec, demo_content
from .groups import GROUPS
from .images import Avatar, Illustration, get_or_create_image
from .intake import ensure_intake
from .planning import GroupPlanner
from .translation import translate_page, translate_snippet

# The course advised after level 3 of a course (CoursePage.next_course), by page key: the
# next step the portal offers after a completed group.
NEXT_COURSES = {"klik-en-tik": "digisterker"}


class DemoLoader:
    """Creates the demo content step by step and counts what it made.

    `report(line)` receives one line per step, e.g. "Themes: 12 new, 0 already there".
    """

    def __init__(self, report, content=None):
        self.report = report
        self.content = content or demo_content()
        self.tally = Counter()
        self.nl = self.en = None
        self.pages: dict[str, Page] = {}  # Dutch pages by spec key
        self.english_pages: dict[str, Page] = {}
        self.themes: dict[str, Theme] = {}  # Dutch themes by slug
        self.organisations: dict[str, Organisation] = {}
        self.locations: dict[str, Location] = {}  # by name
        self.users = {}  # demo accounts by username
        self.images = {}  # Wagtail images by title

    def run(self):
        """Load everything; returns the demo accounts as (account, created) pairs."""
        self.ensure_locales()
        self.ensure_themes()
        self.ensure_organisations()
        self.ensure_locations()
        self.ensure_images()
        self.ensure_dutch_pages()
        self.link_home_page()
        self.translate_pages()
        self.put_contact_last_in_menu()
        self.link_next_courses()
        self.ensure_locale_synchronisation()
        ensure_editorial_setup(story_indexes=[self.pages["stories"], self.english_pages["stories"]])
        self.report("Editorial groups and workflow: ready")
        self.ensure_site_settings()
        accounts = self.ensure_accounts()
        self.ensure_intake()
        self.ensure_course_groups()
        self.ensure_trainer_assignments()
        return accounts

    # -- bookkeeping ---------------------------------------------------------------------

    def _note(self, kind, created, number=1):
        self.tally[(kind, created)] += number

    def _count(self, kind):
        """Report how many `kind` objects were made and how many existed already."""
        made, kept = self.tally[(kind, True)], self.tally[(kind, False)]
        self.report(f"{kind.capitalize()}: {made} new, {kept} already there")

    # -- locales, snippets, organisations ------------------------------------------------

    def ensure_locales(self):
        """Dutch is the default language (made by Wagtail's migrations); English is added."""
        self.nl, _created = Locale.objects.get_or_create(language_code="nl")
        self.en, created = Locale.objects.get_or_create(language_code="en")
        self.report(f"Locales: nl (default), en{' (new)' if created else ''}")

    def ensure_themes(self):
        """Dutch themes and their English translations (same slug, translated name)."""
        for slug, name in self.content.themes.items():
            theme, created = Theme.objects.get_or_create(
                slug=slug, locale=self.nl, defaults={"name": name.nl}
            )
            self._note("themes", created)
            self.themes[slug] = theme
            _english, created = translate_snippet(theme, english_strings(name), self.en)
            self._note("themes", created)
        self._count("themes")

    def ensure_organisations(self):
        for spec in self.content.organisations:
            organisation, created = Organisation.objects.get_or_create(
                slug=spec.slug,
                defaults={
                    "name": spec.name,
                    "kind": spec.kind,
                    "municipality": spec.municipality,
                    "province": spec.province,
                    "email": spec.email,
                    "phone": spec.phone,
                },
            )
            self.organisations[spec.slug] = organisation
            self._note("organisations", created)
        self._count("organisations")

    def ensure_locations(self):
        """The places where groups meet, found by organisation and name."""
        for spec in self.content.locations:
            location, created = Location.objects.get_or_create(
                organisation=self.organisations[spec.organisation],
                name=spec.name,
                defaults={
                    "kind": spec.kind,
                    "street_address": spec.street_address,
                    "postal_code": spec.postal_code,
                    "city": spec.city,
                    "accessibility_notes": spec.accessibility_notes,
                },
            )
            self.locations[spec.name] = location
            self._note("locations", created)
        self._count("locations")

    def ensure_images(self):
        """Every illustration and avatar the pages use, drawn once and found by title after."""
        for spec in self.content.pages.values():
            for reference in references(spec.fields):
                if isinstance(reference, Illustration | Avatar):
                    image, created = get_or_create_image(reference)
                    self.images[reference.title] = image
                    self._note("images", created)
        self._count("images")

    # -- Dutch pages ---------------------------------------------------------------------

    def resolve(self, reference):
        """The object a reference in the content stands for."""
        if isinstance(reference, PageLink):
            return self.pages[reference.key]
        if isinstance(reference, OrganisationRef):
            return self.organisations[reference.slug]
        if isinstance(reference, ThemeRef):
            return self.themes[reference.slug]
        return self.images[reference.title]

    def ensure_dutch_pages(self):
        """The Dutch tree: home page (the site's root), fixed pages, the story index, courses
        and stories."""
        for spec in self.content.pages.values():
            self.pages[spec.key] = self.ensure_page(spec)
            if spec.parent is None:
                self.make_site_root(self.pages[spec.key])
        self._count("pages (nl)")

    def ensure_page(self, spec: PageSpec):
        """The live Dutch page for `spec`, created and published if it is not there yet."""
        if spec.parent is None:
            parent = Page.get_first_root_node()
            existing = spec.model.objects.filter(depth=2, locale=self.nl).first()
        else:
            parent = self.pages[spec.parent]
            existing = parent.get_children().filter(slug=spec.slug, locale=self.nl).first()
        self._note("pages (nl)", existing is None)
        if existing:
            return existing.specific
        values = self._with_child_objects(spec.model, in_dutch(spec.fields, self.resolve))
        page = spec.model(locale=self.nl, **values)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    def _with_child_objects(self, model, values):
        """Turn lists of dicts for child relations (e.g. form fields) into model instances."""
        for name, value in values.items():
            field = model._meta.get_field(name)
            if field.one_to_many:
                related = field.related_model
                extra = {"locale": self.nl} if issubclass(related, TranslatableMixin) else {}
                values[name] = [related(**item, **extra) for item in value]
        return values

    def make_site_root(self, home):
        """Serve the Dutch home page on the default site, at SITE_URL, and remove Wagtail's
        welcome page."""
        site = sync_default_site()
        if site is None:
            address = site_address()
            site = Site(hostname=address.hostname, port=address.port, is_default_site=True)
        if site.root_page_id != home.pk or not site.site_name:
            site.root_page = home
            site.site_name = site.site_name or "Leerplein"
            site.save()
        plain_page = ContentType.objects.get_for_model(Page)
        for page in Page.objects.filter(depth=2, content_type=plain_page, numchild=0):
            if not Site.objects.filter(root_page=page).exists():
                self.report(f"Removed Wagtail's default page “{page.title}”")
                page.delete()

    def link_home_page(self):
        """Point the home page's button at the contact page and choose its featured stories.

        Done after the other pages exist, since both link to pages below the home page.
        """
        home = self.pages["home"]
        changed = False
        if home.cta_page_id is None:
            home.cta_page = self.pages[self.content.home_button]
            changed = True
        if not home.featured_stories.exists():
            home.featured_stories = [
                FeaturedStory(story=self.pages[key]) for key in self.content.featured_stories
            ]
            changed = True
        if changed:
            home.save_revision().publish()
            self.report("Home page: button and featured stories set")

    # -- English pages -------------------------------------------------------------------

    def translate_pages(self):
        """Translate every Dutch page into English, parents before children.

        The home page goes first as a draft (its children need an English parent) and is
        finished last, when the English contact page and stories it links to exist.
        """
        home, *others = self.content.pages.values()
        self._translate(home, publish=False)
        for spec in others:
            self._note("translations (en)", self._translate(spec))
        self._note("translations (en)", self._translate(home))
        self._count("translations (en)")

    def _translate(self, spec, **options):
        english, created = translate_page(
            self.pages[spec.key], english_strings(spec.fields), self.en, **options
        )
        self.english_pages[spec.key] = english
        return created

    def put_contact_last_in_menu(self):
        """The main menu follows the page tree: stories, about and courses, then contact.

        The contact page is created early because other pages link to it.
        """
        for contact in (self.pages["contact"], self.english_pages["contact"]):
            contact.refresh_from_db()
            if contact.get_next_siblings().in_menu().exists():
                contact.move(contact.get_parent(), pos="last-child")

    def link_next_courses(self):
        """Name each course's follow-up after level 3 (NEXT_COURSES) on the Dutch page and its
        English translation, where none is named yet. Done after both exist."""
        for key, next_key in NEXT_COURSES.items():
            for pages in (self.pages, self.english_pages):
                course = pages[key]
                course.refresh_from_db()
                if course.next_course_id is None:
                    course.next_course = pages[next_key]
                    course.save_revision().publish()
                    self.report(f"{course.title} ({course.locale.language_code}): next course set")

    def ensure_locale_synchronisation(self):
        """Keep English in step with Dutch: pages editors add in Dutch get an English alias.

        Created after the translations, so it finds nothing left to alias now; an alias made
        earlier is turned into a real translation by translate_page.
        """
        _sync, created = LocaleSynchronization.objects.get_or_create(
            locale=self.en, defaults={"sync_from": self.nl}
        )
        self.report(f"English synchronised from Dutch{' (new)' if created else ''}")

    # -- settings ------------------------------------------------------------------------

    def ensure_site_settings(self):
        """Contact details and footer links of the default site; filled in only when empty."""
        site = Site.objects.get(is_default_site=True)
        site_settings = SiteSettings.for_site(site)
        changed = False
        for name, value in self.content.site_settings.items():
            if not getattr(site_settings, name):
                setattr(site_settings, name, value)
                changed = True
        if not site_settings.footer_links:
            site_settings.footer_links = [
                ("link", self.pages[key]) for key in self.content.footer_links
            ]
            changed = True
        if changed:
            site_settings.save()
        self.report(f"Site settings: {'filled in' if changed else 'already filled in'}")

    def ensure_accounts(self):
        """The demo accounts (see accounts.py); returns (account, created) pairs."""
        ensure_coordinator_group()  # migrate makes it, but a flushed database has none
        accounts = []
        for account in DEMO_ACCOUNTS:
            self.users[account.username], created = ensure_account(account)
            self._note("accounts", created)
            accounts.append((account, created))
        self._count("accounts")
        return accounts

    # -- course groups and bookings -----------------------------------------------------

    def ensure_intake(self):
        """The intake's questions and advice rules, in Dutch and English (demo/intake.py)."""
        made, kept = ensure_intake(nl=self.nl, en=self.en, courses=self.pages)
        self.report(f"Intake questions and advice rules: {made} new, {kept} already there")

    def ensure_course_groups(self):
        """Plan the demo groups of each course that has none yet, with their bookings.

        A course with groups is left alone, so a second run adds nothing and groups the
        coordinators changed, cancelled or deleted stay that way.
        """
        planner = GroupPlanner(
            courses=self.pages,
            organisations=self.organisations,
            locations=self.locations,
            people=self._people(),
        )
        for course_key in dict.fromkeys(spec.course for spec in GROUPS):
            course = self.pages[course_key]
            groups = CourseGroup.objects.filter(course=course)
            if groups.exists():
                self._note("course groups", False, groups.count())
                self._note("bookings", False, Booking.objects.filter(group__in=groups).count())
                continue
            for spec in GROUPS:
                if spec.course == course_key:
                    planner.plan(spec)
                    self._note("course groups", True)
            self._note("bookings", True, Booking.objects.filter(group__course=course).count())
        self._count("course groups")
        self._count("bookings")

    def ensure_trainer_assignments(self):
        """The demo trainer and volunteer teach their library's groups that have no trainer
        (or volunteer) yet; a group someone else teaches is left as the coordinator set it."""
        people = self._people()
        made = 0
        for account in DEMO_ACCOUNTS:
            if not account.teaches_as:
                continue
            user = self.users[account.username]
            membership = Membership.objects.filter(user=user, is_trainer=True).first()
            if membership is None:  # the account was changed by hand
                continue
            groups = CourseGroup.objects.filter(library=membership.organisation).exclude(
                trainer_assignments__kind=account.teaches_as
            )
            for group in groups.order_by("pk"):
                if TrainerAssignment.objects.filter(group=group, trainer=user).exists():
                    continue
                assign_trainer(
                    group=group,
                    trainer=user,
                    kind=account.teaches_as,
                    by=people[membership.organisation.slug],
                )
                made += 1
        self.report(f"Trainers of groups: {made} new")

    def _people(self):
        """Organisation slug -> the demo account that acts for it (coordinator or contact);
        trainers act for nobody."""
        memberships = Membership.objects.filter(
            user__in=list(self.users.values()), is_trainer=False
        ).select_related("organisation", "user")
        return {m.organisation.slug: m.user for m in memberships}
