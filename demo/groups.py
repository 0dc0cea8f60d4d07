"""The demo's course groups and what happens to each: the story load_demo plays through
booking.services (see demo.planning), so seats, waiting lists and history are what real use
would give.

Facts from the source documents: a course has five sessions and about five seats, three
levels, and takes place in the library, in a neighbourhood building or on location at the SW
company; one contact person at the company chooses the participants. Participants are named
by first name or initials only. Groups are planned relative to the day load_demo runs, so the
demo always has groups in the coming weeks.
"""

from booking.models import CourseGroup, Funding

from .planning import (
    AFTERNOON,
    FRIDAY,
    MONDAY,
    MORNING,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    CancelGroup,
    CancelSeat,
    ChangeCapacity,
    CloseGroup,
    Complete,
    GroupSpec,
    Reserve,
    seat,
)

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
        funding=Funding.WEB,
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
        funding=Funding.WEB,
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
        funding=Funding.WEB,
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
        funding=Funding.WEB,
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
        funding=Funding.TEL_MEE_MET_TAAL,
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
        funding=Funding.TEL_MEE_MET_TAAL,
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
                absent={2: ("Rob",), 4: ("Nina",)},
                excused={3: ("B.T.",), 4: ("Hatice",), 5: ("Rob",)},
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
        funding=Funding.MUNICIPALITY,
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
        funding=Funding.WEB,
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
        funding=Funding.TEL_MEE_MET_TAAL,
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
        funding=Funding.TEL_MEE_MET_TAAL,
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
        funding=Funding.MUNICIPALITY,
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
