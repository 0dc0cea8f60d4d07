"""Content for `make bench SCALE=N`: N story pages and N/10 course groups on top of the demo.

Run by bench/scale.py as `python bench/content_scale.py N` in a database that already holds
the demo site (`load_demo --force`), with Django configured by the environment. Prints JSON
on its last line: what was made and how long each part took.

Everything goes through the code the site itself uses, so the rows are the ones editors and
coordinators would leave behind:

- stories: `add_child` and `save_revision().publish()` for each Dutch page (Wagtail's tree,
  revisions, search index, reference index, the page cache's signals); English versions with
  `copy_for_translation`, then their English text published the same way; Dutch-only stories
  get the English alias wagtail-localize's tree synchronisation gives a page made in the
  admin;
- course groups and bookings: `demo.planning.GroupPlanner`, that is `booking.services`
  (`save_group`, `reserve_seats`, attendance and `complete_group`), with their history.

N counts story pages in both languages: about 45% of N are Dutch originals with an English
translation (two pages each), the rest (about 10%) Dutch-only. The text is generated from word
lists taken from the demo content's facts (places, libraries, SW companies, the courses, what
people learn), in paired Dutch and English sentences, seeded by N, so the same N always gives
the same site and a search word like "digitale" matches a realistic share of the stories.
"""

import datetime
import html
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED_SHARE = 0.45  # of N: Dutch originals with an English translation
GROUPS_PER_STORY = 0.1
INTERVIEW_SHARE = 0.4
BOOKED_SHARE = 0.6  # of the groups: groups with bookings
PAST_SHARE = 0.1  # of the groups: finished groups, with attendance

# --- word lists (facts from demo/content/) ---------------------------------------------------

# Places: the demo's partnerships first, then towns where new ones are made up.
DEMO_PARTNERSHIPS = [
    ("bibliotheek-gouda", "promen", "Gouda", "zuid-holland"),
    ("bibliotheek-deventer", "konnected", "Deventer", "overijssel"),
    ("biblioplus", "ibn", "Cuijk", "noord-brabant"),
    ("bibliotheek-kennemerwaard", "wnk", "Alkmaar", "noord-holland"),
    ("bibliotheek-de-plataan", "stroomopwaarts", "Vlaardingen", "zuid-holland"),
]
TOWNS = [
    ("Utrecht", "utrecht"),
    ("Zwolle", "overijssel"),
    ("Tilburg", "noord-brabant"),
    ("Groningen", "groningen"),
    ("Leeuwarden", "friesland"),
    ("Assen", "drenthe"),
    ("Arnhem", "gelderland"),
    ("Nijmegen", "gelderland"),
    ("Almere", "flevoland"),
    ("Middelburg", "zeeland"),
    ("Maastricht", "limburg"),
    ("Venlo", "limburg"),
    ("Haarlem", "noord-holland"),
    ("Leiden", "zuid-holland"),
    ("Amersfoort", "utrecht"),
    ("Emmen", "drenthe"),
    ("Heerenveen", "friesland"),
    ("Lelystad", "flevoland"),
    ("Goes", "zeeland"),
    ("Den Helder", "noord-holland"),
]
COMPANY_NAMES = [
    "Werkbedrijf {town}",
    "{town} Werkt",
    "Sociaal Werkbedrijf {town}",
    "Werkplein {town}",
]
COURSES = [("Klik & Tik", "Klik & Tik"), ("Digisterker", "Digisterker")]
SKILLS = [
    ("digitale vaardigheden", "digital skills"),
    ("lezen en schrijven", "reading and writing"),
    ("rekenen", "numeracy"),
    ("e-mailen", "e-mailing"),
    ("werken met DigiD", "using DigiD"),
    ("de personeelsapp", "the staff app"),
    ("veilig internetten", "staying safe online"),
    ("Nederlands spreken", "speaking Dutch"),
    ("formulieren invullen", "filling in forms"),
    ("videobellen", "video calling"),
]
ROLES = [
    ("jobcoach", "job coach"),
    ("coördinator van het Taalhuis", "coordinator of the Taalhuis"),
    ("docent", "teacher"),
    ("vrijwilliger", "volunteer"),
    ("werkgever", "employer"),
    ("leidinggevende", "manager"),
    ("medewerker opleidingen", "training officer"),
]
NAMES = [
    "Ijlal", "Marieke", "Ruud", "Fatma", "Kees", "Anja", "Samira", "Theo", "Ilona", "Dirk",
    "Henk", "Gerda", "Ricardo", "Sandra", "Mo", "Yvonne", "Bram", "Nadia", "Joost", "Esra",
]  # fmt: skip
GOALS = [
    "Een e-mailadres maken",
    "Verlof aanvragen in de app",
    "Iets opzoeken op internet",
    "Inloggen met DigiD",
    "Een formulier invullen op internet",
    "Veilig internetten",
]
# Paired sentences; {skill} and {role} are filled from the pairs above, the rest are names.
SENTENCES = [
    ("{co} is een sociaal werkbedrijf in {town}.", "{co} is an SW company in {town}."),
    (
        "Medewerkers van {co} volgen {course} bij {lib}.",
        "Employees of {co} take {course} at {lib}.",
    ),
    (
        "De bibliotheek geeft de lessen en {co} zoekt de deelnemers.",
        "The library gives the lessons and {co} finds the participants.",
    ),
    (
        "Een groep heeft {n} plekken en vijf bijeenkomsten.",
        "A group has {n} places and five sessions.",
    ),
    (
        "Veel deelnemers willen beter worden in {skill}.",
        "Many participants want to get better at {skill}.",
    ),
    (
        "De werkgever betaalt de uren die medewerkers aan de cursus besteden.",
        "The employer pays for the hours employees spend on the course.",
    ),
    (
        "{person} is {role} bij {co} en helpt bij de intake.",
        "{person} is a {role} at {co} and helps with the intake.",
    ),
    (
        "Sinds {year} werken {lib} en {co} samen.",
        "{lib} and {co} have worked together since {year}.",
    ),
    (
        "De lessen zijn in de bibliotheek, in een wijkcentrum of op locatie bij {co}.",
        "The lessons take place in the library, in a community centre or on location at {co}.",
    ),
    (
        "Wie Klik & Tik heeft gedaan, kan daarna verder met Digisterker.",
        "Whoever has done Klik & Tik can go on with Digisterker.",
    ),
    (
        "Met Digisterker leer je zaken regelen met de overheid, bijvoorbeeld met DigiD.",
        "With Digisterker you learn to deal with the government online, for example with DigiD.",
    ),
    (
        "Vrijwilligers van het Taalhuis oefenen één op één met deelnemers.",
        "Volunteers of the Taalhuis practise one to one with participants.",
    ),
    (
        "Na de cursus gaan deelnemers verder met {skill}.",
        "After the course participants carry on with {skill}.",
    ),
    (
        "De gemeente {town} betaalt mee met WEB-geld.",
        "The municipality of {town} contributes with WEB funds.",
    ),
    ("In {town} doen nu {many} medewerkers mee.", "In {town}, {many} employees now take part."),
    (
        "Digitale vaardigheden zijn nodig op de werkvloer, bijvoorbeeld voor het rooster.",
        "Digital skills are needed on the shop floor, for example for the rota.",
    ),
    ("De docent past het tempo aan de groep aan.", "The teacher adapts the pace to the group."),
    (
        "Elke bijeenkomst duurt twee uur, met een pauze.",
        "Each session lasts two hours, with a break.",
    ),
    ("De bibliotheek neemt laptops en tablets mee.", "The library brings laptops and tablets."),
    (
        "Sommige deelnemers hadden nog nooit een computer aangeraakt.",
        "Some participants had never touched a computer before.",
    ),
    (
        "De {role} van {co} kiest wie meedoet zodra er plek is.",
        "The {role} at {co} chooses who takes part as soon as there is room.",
    ),
    (
        "Wie meedoet, leert ook {skill}, in werktijd.",
        "Whoever takes part also learns {skill}, in working time.",
    ),
]
HEADINGS = [
    ("Hoe het begon", "How it started"),
    ("Wie doet wat?", "Who does what?"),
    ("Wat het oplevert", "What it brings"),
    ("De cursus", "The course"),
    ("Waar?", "Where?"),
    ("Meteen gebruiken", "Put it to use straight away"),
]
QUESTIONS = [
    ("Hoe kwam de samenwerking tot stand?", "How did the partnership start?"),
    ("Hoe ziet de samenwerking eruit?", "What does the partnership look like?"),
    ("Wat leren de deelnemers?", "What do participants learn?"),
    ("Wie doet wat?", "Who does what?"),
    ("Hoe wordt het betaald?", "How is it paid for?"),
    ("Waar ben je het meest trots op?", "What are you most proud of?"),
    ("Wat wil je andere bibliotheken meegeven?", "What would you tell other libraries?"),
]
QUOTES = [
    ("Ik durf nu zelf een e-mail te sturen.", "I now dare to send an e-mail myself."),
    ("Alleen red je het als bibliotheek niet.", "As a library you cannot manage on your own."),
    ("Begin er gewoon aan.", "Just get started."),
    ("Mensen kunnen nu meer zelf.", "People can now do more for themselves."),
]
TIPS = [
    ("Begin klein, met één groep.", "Start small, with one group."),
    ("Houd de groepen klein: vijf mensen werkt het best.", "Keep groups small: five works best."),
    ("Ga eerst de wijk in en leg contact.", "Go into the neighbourhood first and make contact."),
    ("Geef de les op de werkplek.", "Give the lesson at the workplace."),
]
THEMES = ["taal", "digitale-vaardigheden", "rekenen", "nt1", "inburgering", "werk"]


@dataclass(frozen=True)
class Partnership:
    library: object  # Organisation
    company: object
    town: str
    province: str


class Writer:
    """Paired Dutch and English text about one partnership, from the word lists."""

    def __init__(self, rng: random.Random, partnership: Partnership):
        self.rng = rng
        self.names = {
            "lib": partnership.library.name,
            "co": partnership.company.name,
            "town": partnership.town,
        }
        self.course = rng.choice(COURSES)

    def sentence(self) -> tuple[str, str]:
        rng = self.rng
        nl, en = rng.choice(SENTENCES)
        skill, role = rng.choice(SKILLS), rng.choice(ROLES)
        names = {
            **self.names,
            "person": rng.choice(NAMES),
            "n": rng.choice([4, 5, 5, 6]),
            "many": rng.randint(8, 80),
            "year": rng.randint(2015, 2024),
        }
        return (
            nl.format(**names, course=self.course[0], skill=skill[0], role=role[0]),
            en.format(**names, course=self.course[1], skill=skill[1], role=role[1]),
        )

    def sentences(self, low: int, high: int) -> tuple[str, str]:
        pairs = [self.sentence() for _ in range(self.rng.randint(low, high))]
        return " ".join(nl for nl, _en in pairs), " ".join(en for _nl, en in pairs)

    def paragraphs(self, low: int, high: int) -> tuple[str, str]:
        """Rich text: a few paragraphs of two to four sentences."""
        paragraphs = [self.sentences(2, 4) for _ in range(self.rng.randint(low, high))]
        return tuple(
            "".join(f"<p>{html.escape(pair[i], quote=False)}</p>" for pair in paragraphs)
            for i in (0, 1)
        )

    def body(self, *, interview: bool, contact_pages) -> tuple[list, list]:
        """A story's body in Dutch and in English: the same blocks, three to six parts."""
        rng = self.rng
        nl, en = [], []

        def add(block_type, pair):
            nl.append((block_type, pair[0]))
            en.append((block_type, pair[1]))

        add("paragraph", self.paragraphs(1, 2))
        for _ in range(rng.randint(2, 4)):
            if interview:
                question = rng.choice(QUESTIONS)
                answer = self.paragraphs(1, 2)
                add(
                    "question_answer",
                    tuple(
                        {"question": q, "answer": a} for q, a in zip(question, answer, strict=True)
                    ),
                )
            else:
                heading = rng.choice(HEADINGS)
                add("heading", tuple({"text": text, "level": "h2"} for text in heading))
                add("paragraph", self.paragraphs(1, 2))
        if rng.random() < 0.5:
            quote = rng.choice(QUOTES)
            person = rng.choice(NAMES)
            add(
                "quote",
                tuple({"quote": q, "attribution": f"{person}, {self.names['co']}"} for q in quote),
            )
        facts = [
            (("Cursus", "Course"), self.course),
            (("Groep", "Group"), ("5 plekken, 5 bijeenkomsten", "5 places, 5 sessions")),
            (("Plaats", "Place"), (self.names["town"], self.names["town"])),
        ]
        add(
            "facts",
            tuple(
                {
                    "title": ("Op een rij", "At a glance")[i],
                    "facts": [{"label": label[i], "value": value[i]} for label, value in facts],
                }
                for i in (0, 1)
            ),
        )
        if rng.random() < 0.3:
            add(
                "call_to_action",
                tuple(
                    {
                        "title": (
                            "Wil je ook samenwerken?",
                            "Would you like to work together too?",
                        )[i],
                        "text": (
                            "Wij zoeken een partner bij jou in de buurt.",
                            "We will find a partner near you.",
                        )[i],
                        "page": contact_pages[i],
                        "url": "",
                        "button_label": ("Breng ons in contact", "Put us in touch")[i],
                    }
                    for i in (0, 1)
                ),
            )
        return nl, en


# --- building ---------------------------------------------------------------------------------


class ScaleBuilder:
    """Adds the scale content to a database holding the demo site."""

    def __init__(self, scale: int, report=print):
        from wagtail.images import get_image_model
        from wagtail.models import Locale

        from booking.models import CoursePage
        from home.models import ContactPage
        from stories.models import StoryIndexPage, Theme

        self.scale = scale
        self.report = report
        self.rng = random.Random(scale)
        self.nl = Locale.objects.get(language_code="nl")
        self.en = Locale.objects.get(language_code="en")
        self.index = StoryIndexPage.objects.get(locale=self.nl)
        self.themes = list(Theme.objects.filter(locale=self.nl, slug__in=THEMES))
        self.images = list(get_image_model().objects.filter(title__startswith="Illustratie"))
        # A call to action links to the contact page in the story's own language.
        contact = ContactPage.objects.filter(locale=self.nl).first()
        self.contact_pages = (
            contact,
            contact
            and ContactPage.objects.filter(
                locale=self.en, translation_key=contact.translation_key
            ).first(),
        )
        self.courses = {page.slug: page for page in CoursePage.objects.filter(locale=self.nl)}
        self.timings = {}

    def run(self) -> dict:
        started = time.monotonic()
        partnerships = self.partnerships()
        self.timings["partnerships"] = round(time.monotonic() - started, 1)
        made = self.stories(partnerships)
        made["groups"], made["bookings"] = self.groups()
        made["partnerships"] = len(partnerships)
        return {"scale": self.scale, "made": made, "seconds": self.timings}

    def partnerships(self) -> list[Partnership]:
        """The demo's five partnerships and, at larger N, a library and an SW company in more
        towns (the stories index's organisation filter lists them all)."""
        from booking.models import Organisation

        by_slug = {o.slug: o for o in Organisation.objects.all()}
        found = [
            Partnership(by_slug[lib], by_slug[co], town, province)
            for lib, co, town, province in DEMO_PARTNERSHIPS
            if lib in by_slug and co in by_slug
        ]
        for number, (town, province) in enumerate(TOWNS[: self.scale // 250]):
            made = []
            for kind, name in (
                ("library", f"Bibliotheek {town}"),
                ("sw_company", COMPANY_NAMES[number % len(COMPANY_NAMES)].format(town=town)),
            ):
                organisation, _created = Organisation.objects.get_or_create(
                    name=name,
                    defaults={
                        "slug": slug_of(name),
                        "kind": kind,
                        "municipality": town,
                        "province": province,
                    },
                )
                made.append(organisation)
            found.append(Partnership(*made, town, province))
        return found

    def stories(self, partnerships) -> dict:
        from wagtail_localize.synctree import create_aliases_for_new_page

        from stories.models import InterviewPage, PracticeExamplePage

        translated = round(self.scale * TRANSLATED_SHARE)
        dutch_only = max(0, self.scale - 2 * translated)
        count = {"stories_nl": 0, "stories_en": 0, "aliases_en": 0}
        started = time.monotonic()
        today = datetime.date.today()
        for number in range(translated + dutch_only):
            rng = self.rng
            partnership = rng.choice(partnerships)
            writer = Writer(rng, partnership)
            interview = rng.random() < INTERVIEW_SHARE
            model = InterviewPage if interview else PracticeExamplePage
            title = self.title(rng, writer, interview)
            summary = writer.sentences(1, 2)
            body = writer.body(interview=interview, contact_pages=self.contact_pages)
            image = rng.choice(self.images) if self.images else None
            alt = (
                f"Tekening bij het verhaal uit {partnership.town}.",
                f"Drawing for the story from {partnership.town}.",
            )
            fields = {
                "title": title[0],
                "slug": f"{slug_of(title[0])}-{number}",
                "summary": summary[0][:300],
                "date": today - datetime.timedelta(days=rng.randint(0, 3650)),
                "hero_image": image,
                "hero_image_alt": alt[0],
                "province": partnership.province,
                "body": body[0],
            }
            english = {
                "title": title[1],
                "slug": f"{slug_of(title[1])}-{number}",
                "summary": summary[1][:300],
                "hero_image_alt": alt[1],
                "body": body[1],
            }
            if interview:
                person, role = rng.choice(NAMES), rng.choice(ROLES)
                fields |= {
                    "interviewee": person,
                    "interviewee_role": role[0],
                    "interviewee_organisation": rng.choice(
                        [partnership.library, partnership.company]
                    ),
                }
                english |= {"interviewee_role": role[1]}
            else:
                target, funding, results = (writer.sentences(1, 2) for _ in range(3))
                tips = rng.sample(TIPS, 2)
                fields |= {
                    "library": partnership.library,
                    "sw_company": partnership.company,
                    "municipality": partnership.town,
                    "start_year": rng.randint(2015, 2024),
                    "target_groups": target[0],
                    "meetings_per_week": rng.randint(1, 4),
                    "group_size": 5,
                    "funding": funding[0],
                    "results": results[0],
                    "tips": [("tip", nl) for nl, _en in tips],
                }
                english |= {
                    "target_groups": target[1],
                    "funding": funding[1],
                    "results": results[1],
                    "tips": [("tip", en) for _nl, en in tips],
                }
            page = model(locale=self.nl, **fields)
            page.themes = rng.sample(self.themes, rng.randint(1, 3)) if self.themes else []
            page.partner_organisations = [partnership.library, partnership.company]
            self.index.add_child(instance=page)
            page.save_revision().publish()
            count["stories_nl"] += 1
            if number < translated:
                self.translate(page, english)
                count["stories_en"] += 1
            else:
                # What the admin's tree synchronisation adds for a page made in Dutch.
                create_aliases_for_new_page(page)
                count["aliases_en"] += 1
            if (number + 1) % 500 == 0:
                self.report(f"  {number + 1} Dutch stories, {time.monotonic() - started:.0f} s")
        self.timings["stories"] = round(time.monotonic() - started, 1)
        return count

    @staticmethod
    def title(rng, writer, interview) -> tuple[str, str]:
        lib, co, town = writer.names["lib"], writer.names["co"], writer.names["town"]
        course = writer.course
        skill = rng.choice(SKILLS)
        if interview:
            person, role = rng.choice(NAMES), rng.choice(ROLES)
            options = [
                (
                    f"In gesprek met {person}, {role[0]} bij {co}",
                    f"Talking to {person}, {role[1]} at {co}",
                ),
                (
                    f"{person} van {lib}: leren waar mensen werken",
                    f"{person} of {lib}: learning where people work",
                ),
            ]
        else:
            options = [
                (f"{town}: {course[0]} voor {co}", f"{town}: {course[1]} for {co}"),
                (
                    f"{lib} en {co}: samen leren in {town}",
                    f"{lib} and {co}: learning together in {town}",
                ),
                (f"{town}: {skill[0]} op de werkvloer", f"{town}: {skill[1]} on the shop floor"),
            ]
        return rng.choice(options)

    def translate(self, page, english: dict):
        """The English version, as an editor makes it: a copy into English, then its text."""
        translated = page.copy_for_translation(self.en).specific
        for name, value in english.items():
            setattr(translated, name, value)
        translated.save_revision().publish()

    def groups(self) -> tuple[int, int]:
        """N/10 groups over the demo's courses, libraries and places, planned and booked
        through booking.services (demo.planning)."""
        from booking.models import Booking, Location, Membership, Organisation
        from demo.planning import (
            AFTERNOON,
            MORNING,
            Complete,
            GroupPlanner,
            GroupSpec,
            Reserve,
            seat,
        )

        started = time.monotonic()
        bookings_before = Booking.objects.count()
        rng = random.Random(self.scale + 1)
        memberships = Membership.objects.select_related("organisation", "user")
        people = {m.organisation.slug: m.user for m in memberships}
        libraries = [
            o
            for o in Organisation.objects.filter(kind="library", slug__in=list(people))
            if Location.objects.filter(city=o.municipality).exists()
        ]
        companies = list(Organisation.objects.filter(kind="sw_company", slug__in=list(people)))
        locations = {
            library.slug: list(Location.objects.filter(city=library.municipality))
            for library in libraries
        }
        planner = GroupPlanner(
            courses=self.courses,
            organisations={o.slug: o for o in Organisation.objects.all()},
            locations={loc.name: loc for places in locations.values() for loc in places},
            people=people,
        )
        count = round(self.scale * GROUPS_PER_STORY)
        courses = sorted(self.courses)
        for number in range(count):
            library = libraries[number % len(libraries)]
            location = rng.choice(locations[library.slug])
            past = rng.random() < PAST_SHARE
            steps = []
            if past or rng.random() < BOOKED_SHARE:
                # At most 5 seats at once (the booking rules); a second company's seats
                # sometimes go on the waiting list.
                for company in rng.sample(companies, 1 if past or rng.random() < 0.7 else 2):
                    wanted = rng.randint(1, 5)
                    steps.append(
                        Reserve(
                            company.slug,
                            tuple(
                                seat(rng.choice(NAMES), rng.choice(GOALS)) for _ in range(wanted)
                            ),
                        )
                    )
            if past:
                steps.append(Complete("Groep afgerond", absent={}))
            planner.plan(
                GroupSpec(
                    course=courses[number % len(courses)],
                    library=library.slug,
                    location=location.name,
                    level=rng.randint(1, 3),
                    week=-rng.randint(7, 30) if past else rng.randint(1, 40),
                    weekday=rng.randint(0, 4),
                    times=rng.choice([MORNING, AFTERNOON]),
                    trainer=f"{rng.choice(NAMES)} {rng.choice(['Jansen', 'Bosman', 'de Vries'])}",
                    reason="Nieuwe groep",
                    steps=tuple(steps),
                )
            )
        self.timings["groups"] = round(time.monotonic() - started, 1)
        return count, Booking.objects.count() - bookings_before


def slug_of(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text.replace("&", "en"))[:60].strip("-")


def main():
    scale = int(sys.argv[1])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import transaction
    from django.test.utils import override_settings

    # As load_demo: nobody real booked anything, so the booking e-mails go nowhere; one
    # transaction, so a failure leaves no half-built site behind.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        result = ScaleBuilder(scale, report=lambda line: print(line, flush=True)).run()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
