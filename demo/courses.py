"""The demo courses: Klik & Tik and Digisterker, their places, groups and bookings.

Facts from the source documents: a course has five sessions and about five seats, three
levels, and takes place in the library, in a neighbourhood building or on location at the SW
company; one contact person at the company chooses the participants. Course pages speak to
the reader as "u". Participants are named by first name or initials only.

Groups are planned relative to the day load_demo runs, so the demo always has groups in the
coming weeks. Each group tells a short story (`steps`) that the loader plays through
booking.services, so seats, waiting lists and history are exactly what real use would give.
"""

import datetime
from dataclasses import dataclass

from booking.models import CourseGroup, CourseIndexPage, CoursePage, Location
from booking.services import SeatRequest

from .bilingual import Text, bullets, paragraphs
from .content import PageSpec

# -- pages --------------------------------------------------------------------------------

COURSE_INDEX = PageSpec(
    key="courses",
    model=CourseIndexPage,
    parent="home",
    fields={
        "title": Text("Cursussen", "Courses"),
        "slug": Text("cursussen", "courses"),
        "show_in_menus": True,
        "intro": paragraphs(
            (
                "De bibliotheek geeft kleine cursussen over de computer, de tablet en de "
                "digitale overheid. U leert in vijf lessen, in een groep van ongeveer vijf "
                "mensen.",
                "The library runs small courses about computers, tablets and the digital "
                "government. You learn in five lessons, in a group of about five people.",
            ),
            (
                "Werkt u bij een sociaal werkbedrijf? Dan kan uw contactpersoon een plek voor u "
                "reserveren. De cursussen zijn gratis.",
                "Do you work at an SW company? Then your contact person can book a place for "
                "you. The courses are free.",
            ),
        ),
    },
)

KLIK_EN_TIK = PageSpec(
    key="klik-en-tik",
    model=CoursePage,
    parent="courses",
    fields={
        "title": Text("Klik & Tik", "Klik & Tik"),
        "slug": Text("klik-en-tik", "klik-en-tik"),
        "summary": Text(
            "Uw eerste stappen met de computer, de tablet en internet. In vijf lessen, in een "
            "kleine groep.",
            "Your first steps with a computer, a tablet and the internet. In five lessons, in a "
            "small group.",
        ),
        "what_you_learn": bullets(
            (
                "De tablet of de computer aanzetten en gebruiken.",
                "Switch on a tablet or a computer and use it.",
            ),
            ("Iets opzoeken op internet.", "Look something up on the internet."),
            (
                "Een e-mailadres maken en een e-mail sturen.",
                "Make an e-mail address and send an e-mail.",
            ),
            (
                "Veilig internetten. U herkent een nepbericht.",
                "Stay safe on the internet. You can spot a fake message.",
            ),
            (
                "De app van uw werk gebruiken. Bijvoorbeeld om een vrije dag te vragen.",
                "Use the app of your work. For example to ask for a day off.",
            ),
        ),
        "for_whom": paragraphs(
            (
                "Voor iedereen die nog weinig doet met de computer of de tablet.",
                "For everyone who does not use a computer or a tablet much yet.",
            ),
            (
                "U hoeft niets te weten. U moet wel een beetje kunnen lezen en schrijven.",
                "You do not need to know anything. You do need to be able to read and write "
                "a little.",
            ),
            (
                "Een docent en vrijwilligers helpen u. Er is altijd tijd voor uw vragen.",
                "A teacher and volunteers help you. There is always time for your questions.",
            ),
        ),
        "levels": bullets(
            (
                "Niveau 1: u begint bij het begin. U heeft nog nooit een tablet of computer "
                "gebruikt.",
                "Level 1: you start at the very beginning. You have never used a tablet or a "
                "computer.",
            ),
            (
                "Niveau 2: u kunt de tablet al aanzetten en een beetje typen.",
                "Level 2: you can already switch on a tablet and type a little.",
            ),
            (
                "Niveau 3: u gebruikt internet al. U wilt meer leren, zoals e-mail en apps.",
                "Level 3: you already use the internet. You want to learn more, such as e-mail "
                "and apps.",
            ),
        ),
        "what_to_bring": bullets(
            ("Uw leesbril, als u die heeft.", "Your reading glasses, if you have them."),
            (
                "Uw eigen telefoon of tablet, als u die heeft. De bibliotheek heeft ook tablets.",
                "Your own phone or tablet, if you have one. The library has tablets too.",
            ),
        ),
    },
)

DIGISTERKER = PageSpec(
    key="digisterker",
    model=CoursePage,
    parent="courses",
    fields={
        "title": Text("Digisterker", "Digisterker"),
        "slug": Text("digisterker", "digisterker"),
        "summary": Text(
            "Zaken regelen met de overheid op internet. U leert werken met DigiD en MijnOverheid.",
            "Arrange things with the government on the internet. You learn to use DigiD and "
            "MijnOverheid.",
        ),
        "what_you_learn": bullets(
            ("Inloggen met DigiD, ook met de app.", "Log in with DigiD, also with the app."),
            (
                "Uw post van de overheid lezen in de Berichtenbox van MijnOverheid.",
                "Read your post from the government in the MijnOverheid message box.",
            ),
            (
                "Websites van de overheid gebruiken, zoals die van de Belastingdienst en het UWV.",
                "Use government websites, such as those of the tax office and the UWV.",
            ),
            (
                "Zien welke toeslagen u krijgt.",
                "See which allowances you get.",
            ),
            (
                "Uw gegevens veilig houden.",
                "Keep your personal details safe.",
            ),
        ),
        "for_whom": paragraphs(
            (
                "Voor iedereen die zelf zaken wil regelen met de overheid, op de computer of de "
                "telefoon.",
                "For everyone who wants to arrange things with the government themselves, on a "
                "computer or a phone.",
            ),
            (
                "U kunt al een beetje werken met de computer of de tablet. Nog niet? Begin dan "
                "met Klik &amp; Tik.",
                "You can already use a computer or a tablet a little. Not yet? Then start with "
                "Klik &amp; Tik.",
            ),
        ),
        "levels": bullets(
            (
                "Niveau 1: u heeft nog geen DigiD. Of u gebruikt uw DigiD bijna nooit.",
                "Level 1: you do not have a DigiD yet. Or you hardly ever use your DigiD.",
            ),
            (
                "Niveau 2: u logt soms in met DigiD. U wilt weten wat u nog meer kunt doen.",
                "Level 2: you sometimes log in with DigiD. You want to know what else you can do.",
            ),
            (
                "Niveau 3: u wilt zelf uw belastingaangifte doen of een toeslag aanvragen.",
                "Level 3: you want to do your own tax return or apply for an allowance.",
            ),
        ),
        "what_to_bring": bullets(
            (
                "Uw DigiD: uw gebruikersnaam en wachtwoord, of uw telefoon met de DigiD-app.",
                "Your DigiD: your username and password, or your phone with the DigiD app.",
            ),
            (
                "Heeft u nog geen DigiD? Neem dan uw paspoort of identiteitskaart mee. Dan "
                "vragen we hem samen aan.",
                "No DigiD yet? Then bring your passport or identity card. We will apply for "
                "one together.",
            ),
            ("Uw leesbril, als u die heeft.", "Your reading glasses, if you have them."),
        ),
    },
)

# Parents before children.
COURSE_PAGES = [COURSE_INDEX, KLIK_EN_TIK, DIGISTERKER]

# -- places -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationSpec:
    """A place where groups meet; found again by its organisation and name. The addresses are
    made up."""

    name: str
    kind: str
    organisation: str  # slug
    street_address: str
    postal_code: str
    city: str
    accessibility_notes: str


LOCATIONS = [
    LocationSpec(
        "Bibliotheek Gouda, Chocoladefabriek",
        Location.Kind.LIBRARY,
        "bibliotheek-gouda",
        "Klein Amerika 20",
        "2806 PK",
        "Gouda",
        "Ingang zonder drempel. Lift naar alle verdiepingen. Aangepast toilet op de begane grond.",
    ),
    LocationSpec(
        "Wijkcentrum Korte Akkeren",
        Location.Kind.NEIGHBOURHOOD,
        "bibliotheek-gouda",
        "Van Bergen IJzendoornpark 5",
        "2805 HR",
        "Gouda",
        "Ingang zonder drempel. Het leslokaal is op de begane grond. Parkeren voor de deur.",
    ),
    LocationSpec(
        "Promen, vestiging Gouda",
        Location.Kind.SW_COMPANY,
        "promen",
        "Goudse Poort 14",
        "2803 KA",
        "Gouda",
        "Meld u bij de receptie. De les is in de kantine. Lift aanwezig.",
    ),
    LocationSpec(
        "Bibliotheek Deventer, centrale bibliotheek",
        Location.Kind.LIBRARY,
        "bibliotheek-deventer",
        "Stromarkt 18",
        "7411 PK",
        "Deventer",
        "Ingang zonder drempel. Lift aanwezig. Een stille ruimte op de eerste verdieping.",
    ),
    LocationSpec(
        "Buurthuis De Hoven",
        Location.Kind.NEIGHBOURHOOD,
        "bibliotheek-deventer",
        "Hovenlaan 2",
        "7416 AA",
        "Deventer",
        "Eén lage drempel bij de ingang. Alles is op de begane grond.",
    ),
    LocationSpec(
        "KonnecteD, Hanzeweg",
        Location.Kind.SW_COMPANY,
        "konnected",
        "Hanzeweg 8",
        "7418 AW",
        "Deventer",
        "Ingang met een hellingbaan. Het leslokaal is naast de kantine.",
    ),
    LocationSpec(
        "Bibliotheek Cuijk",
        Location.Kind.LIBRARY,
        "biblioplus",
        "Grotestraat 3",
        "5431 DH",
        "Cuijk",
        "Ingang zonder drempel. Lift aanwezig. Gratis parkeren op het plein.",
    ),
]

# -- groups and what happens to them ----------------------------------------------------

MORNING = (datetime.time(10), datetime.time(12))
AFTERNOON = (datetime.time(13, 30), datetime.time(15, 30))
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)


def seat(first_name="", learning_goal="", support_needs="") -> SeatRequest:
    return SeatRequest(first_name, learning_goal, support_needs)


@dataclass(frozen=True)
class Reserve:
    """The company's contact person reserves these seats (the rest of a full group waits)."""

    company: str  # slug
    seats: tuple[SeatRequest, ...]
    reason: str = ""


@dataclass(frozen=True)
class CancelSeat:
    """Cancel the active seat of `first_name`, by the contact person or by the library."""

    first_name: str
    by_library: bool
    reason: str


@dataclass(frozen=True)
class ChangeCapacity:
    capacity: int
    reason: str


@dataclass(frozen=True)
class CloseGroup:
    reason: str


@dataclass(frozen=True)
class CancelGroup:
    reason: str


@dataclass(frozen=True)
class Complete:
    """Attendance for every session (everybody present but `absent`), then complete the group.

    `absent` maps a session's number (1 to 5) to the first names missing that day.
    """

    reason: str
    absent: dict[int, tuple[str, ...]]


Step = Reserve | CancelSeat | ChangeCapacity | CloseGroup | CancelGroup | Complete


@dataclass(frozen=True)
class GroupSpec:
    """A group of five weekly sessions, planned by a coordinator of `library`.

    The first session is on `weekday` in week `week` from now (0 = the coming seven days;
    negative for a group in the past). Booking opens four weeks before the first session, or
    a week ago if that is earlier (so every group to come can be booked now); it closes three
    days before the first session, and the company can cancel seats until the day before.
    """

    course: str  # page key
    library: str  # slug
    location: str  # LocationSpec name
    level: int
    week: int
    weekday: int
    times: tuple[datetime.time, datetime.time]
    trainer: str
    reason: str
    status: str = CourseGroup.Status.OPEN
    capacity: int = 5
    restricted_to: str | None = None
    seats_per_organisation: int | None = None
    notes: str = ""
    steps: tuple[Step, ...] = ()


GROUPS = [
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-gouda",
        location="Bibliotheek Gouda, Chocoladefabriek",
        level=1,
        week=2,
        weekday=TUESDAY,
        times=MORNING,
        trainer="Marieke Jansen",
        reason="Nieuwe groep voor beginners",
        steps=(
            Reserve(
                "promen",
                (
                    seat("Anja", "Een e-mailadres maken", "Grote letters"),
                    seat("M.B.", "Verlof aanvragen in de app van Promen"),
                    seat("Kees", "Foto's van de telefoon bekijken op de tablet"),
                    seat("Fatma", "Iets opzoeken op internet", "Rustige plek"),
                    seat("Ricardo", "Een e-mailadres maken"),
                ),
            ),
            Reserve(
                "promen",
                (
                    seat("J.V.", "Veilig internetten"),
                    seat("Sandra", "Een e-mail sturen", "Slechthorend: graag duidelijk praten"),
                ),
                reason="Nog twee collega's willen graag meedoen",
            ),
            CancelSeat("Kees", by_library=False, reason="Kees kan toch niet op dinsdag."),
        ),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-gouda",
        location="Wijkcentrum Korte Akkeren",
        level=2,
        week=3,
        weekday=THURSDAY,
        times=AFTERNOON,
        trainer="Ruud Bosman",
        reason="Groep in de wijk, dicht bij huis",
        seats_per_organisation=3,
        steps=(Reserve("promen", (seat(), seat()), reason="Namen volgen nog"),),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-gouda",
        location="Promen, vestiging Gouda",
        level=1,
        week=4,
        weekday=WEDNESDAY,
        times=MORNING,
        trainer="Marieke Jansen",
        reason="Cursus op locatie, alleen voor Promen",
        restricted_to="promen",
        notes="De tablets 45 minuten voor de les klaarzetten in de kantine.",
        steps=(
            Reserve(
                "promen",
                (
                    seat("Henk", "Rooster bekijken in de app van Promen"),
                    seat("Y.A.", "Een e-mailadres maken", "Leest liever niet hardop"),
                    seat("Gerda", "Berichten sturen met de tablet"),
                    seat("Mo", "Iets opzoeken op internet"),
                ),
            ),
        ),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-gouda",
        location="Bibliotheek Gouda, Chocoladefabriek",
        level=3,
        week=1,
        weekday=FRIDAY,
        times=AFTERNOON,
        trainer="Ruud Bosman",
        reason="Vervolggroep na de zomer",
        steps=(
            Reserve(
                "promen",
                (
                    seat("Ilona", "Bijlagen openen en opslaan"),
                    seat("P.K.", "Apps installeren op de telefoon"),
                    seat("Dirk", "Online een afspraak maken bij de huisarts"),
                    seat("Samira", "Veilig wachtwoorden bewaren"),
                    seat("Theo", "Een formulier invullen op internet"),
                ),
            ),
            CloseGroup("De groep is vol. De inschrijving is gesloten."),
        ),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-deventer",
        location="Bibliotheek Deventer, centrale bibliotheek",
        level=1,
        week=2,
        weekday=MONDAY,
        times=AFTERNOON,
        trainer="Joyce Peters",
        reason="Nieuwe groep in een klein lokaal; per bedrijf drie plekken, zodat meer bedrijven "
        "kunnen meedoen",
        capacity=4,
        seats_per_organisation=3,
        steps=(
            Reserve(
                "konnected",
                (
                    seat("Wim", "Een e-mailadres maken"),
                    seat("E.D.", "Werken met de tablet", "Grote letters"),
                    seat("Lotte", "Iets opzoeken op internet"),
                ),
            ),
        ),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="bibliotheek-deventer",
        location="KonnecteD, Hanzeweg",
        level=1,
        week=-7,
        weekday=TUESDAY,
        times=MORNING,
        trainer="Joyce Peters",
        reason="Cursus op locatie bij KonnecteD, in werktijd",
        restricted_to="konnected",
        steps=(
            Reserve(
                "konnected",
                (
                    seat("Arjen", "Een e-mailadres maken"),
                    seat("B.T.", "Verlof aanvragen in de app", "Rustige plek"),
                    seat("Hatice", "Iets opzoeken op internet"),
                    seat("Rob", "De tablet leren gebruiken", "Grote letters"),
                    seat("Nina", "Veilig internetten"),
                ),
            ),
            Reserve(
                "konnected",
                (seat("G.S.", "Een e-mail sturen"),),
                reason="Nog een collega, graag op de wachtlijst",
            ),
            Complete(
                "Alle vijf lessen zijn gegeven.",
                absent={2: ("Rob",), 4: ("Hatice", "Nina")},
            ),
        ),
    ),
    GroupSpec(
        course="klik-en-tik",
        library="biblioplus",
        location="Bibliotheek Cuijk",
        level=2,
        week=3,
        weekday=TUESDAY,
        times=MORNING,
        trainer="Linda van Dijk",
        reason="Nieuwe groep in Cuijk",
        steps=(
            Reserve(
                "ibn",
                (
                    seat("Kevin", "Berichten lezen op de tablet"),
                    seat("A.H.", "Een e-mailadres maken", "Grote letters"),
                    seat("Monique", "Iets opzoeken op internet"),
                    seat("Bas", "Werken met de app van IBN"),
                    seat("Esra", "Veilig internetten"),
                ),
            ),
            Reserve("ibn", (seat("Jan", "Foto's versturen"),), reason="Jan wil ook graag meedoen"),
            ChangeCapacity(6, "Er is een extra tablet, dus er kan iemand bij."),
        ),
    ),
    GroupSpec(
        course="digisterker",
        library="bibliotheek-gouda",
        location="Bibliotheek Gouda, Chocoladefabriek",
        level=2,
        week=2,
        weekday=THURSDAY,
        times=AFTERNOON,
        trainer="Marieke Jansen",
        reason="Nieuwe Digisterker-groep",
        steps=(
            Reserve(
                "promen",
                (
                    seat("Ahmed", "Inloggen met DigiD"),
                    seat("Truus", "Post lezen in MijnOverheid", "Grote letters"),
                    seat("R.M.", "Toeslagen bekijken"),
                    seat("Joke", "Inloggen met de DigiD-app"),
                    seat("Stefan", "Inloggen met DigiD"),
                ),
            ),
            Reserve(
                "promen",
                (
                    seat("Ingrid", "Inloggen met DigiD"),
                    seat("L.O.", "Post lezen in MijnOverheid"),
                ),
                reason="Graag op de wachtlijst",
            ),
            CancelSeat(
                "Stefan",
                by_library=True,
                reason="Stefan past beter in niveau 1. Overlegd met Promen.",
            ),
        ),
    ),
    GroupSpec(
        course="digisterker",
        library="bibliotheek-deventer",
        location="Buurthuis De Hoven",
        level=3,
        week=5,
        weekday=WEDNESDAY,
        times=MORNING,
        trainer="Joyce Peters",
        reason="Groep voor gevorderden in de wijk",
        steps=(
            Reserve(
                "konnected",
                (seat("Olga", "Zelf de belastingaangifte doen", "Rustige plek"),),
            ),
        ),
    ),
    GroupSpec(
        course="digisterker",
        library="bibliotheek-deventer",
        location="Bibliotheek Deventer, centrale bibliotheek",
        level=1,
        week=8,
        weekday=MONDAY,
        times=MORNING,
        trainer="",
        reason="Alvast ingepland; de docent is nog niet bekend",
        status=CourseGroup.Status.DRAFT,
        notes="Nog een docent zoeken voordat de groep open gaat.",
    ),
    GroupSpec(
        course="digisterker",
        library="biblioplus",
        location="Bibliotheek Cuijk",
        level=1,
        week=6,
        weekday=THURSDAY,
        times=AFTERNOON,
        trainer="Linda van Dijk",
        reason="Nieuwe Digisterker-groep in Cuijk",
        steps=(
            Reserve(
                "ibn",
                (
                    seat("Peter", "Inloggen met DigiD"),
                    seat("D.W.", "Een DigiD aanvragen", "Slechtziend: grote letters"),
                ),
            ),
            CancelGroup("De docent is langere tijd ziek. We plannen een nieuwe groep."),
        ),
    ),
]
