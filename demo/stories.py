"""The demo stories: five practice examples and two interviews, in Dutch and English.

Written for Leerplein in plain language from the facts in the source documents (2020-2021):
names of organisations and places, numbers, and how each partnership works. Interviewees are
named by first name and role only, as the source interviews name them publicly.
"""

from datetime import date

from stories.models import InterviewPage, PracticeExamplePage

from .bilingual import Html, OrganisationRef, Text, ThemeRef, bullets
from .blocks import (
    contact_call_to_action,
    facts,
    heading,
    paragraph,
    question,
    quote,
    rich_paragraph,
)
from .content import PageSpec
from .images import Avatar, Illustration

# Practice example pages already show their facts fields under "In short"; the facts box in
# their body lists what is worth seeing at a glance. Interviews have no facts fields.
AT_A_GLANCE = ("Op een rij", "At a glance")
IN_SHORT = ("In het kort", "In short")


def _story_fields(*, slug, title, summary, day, themes, province, partners, image, image_alt):
    """The fields every story has (see stories.models.StoryPage)."""
    return {
        "title": title,
        "slug": slug,
        "summary": summary,
        "date": day,
        "hero_image": image,
        "hero_image_alt": image_alt,
        "themes": [ThemeRef(theme) for theme in themes],
        "province": province,
        "partner_organisations": [OrganisationRef(slug) for slug in partners],
    }


def practice_example(key, *, library, sw_company, tips, roles: Html, body, facts_, **story):
    """A PracticeExamplePage spec: the story fields plus the partnership's facts."""
    fields = _story_fields(partners=(library, sw_company), **story)
    fields |= {
        "library": OrganisationRef(library),
        "sw_company": OrganisationRef(sw_company),
        "roles": roles,
        "tips": [("tip", tip) for tip in tips],
        "body": body,
        **facts_,
    }
    return PageSpec(key=key, model=PracticeExamplePage, parent="stories", fields=fields)


def interview(
    key, *, interviewee, role, organisation, portrait, portrait_alt, partners, body, **story
):
    """An InterviewPage spec: the story fields plus who was interviewed."""
    fields = _story_fields(partners=partners, **story)
    fields |= {
        "interviewee": interviewee,
        "interviewee_role": role,
        "interviewee_organisation": OrganisationRef(organisation),
        "portrait": portrait,
        "portrait_alt": portrait_alt,
        "body": body,
    }
    return PageSpec(key=key, model=InterviewPage, parent="stories", fields=fields)


CUIJK = practice_example(
    "cuijk",
    slug=Text("biblioplus-en-ibn-cuijk", "biblioplus-and-ibn-cuijk"),
    title=Text(
        "Cuijk: samen naar de taalcursus in de bibliotheek",
        "Cuijk: going to the language course at the library together",
    ),
    summary=Text(
        "In Cuijk volgen medewerkers van IBN een taalcursus in de bibliotheek. Ze leren daar "
        "samen met andere inwoners.",
        "In Cuijk, employees of IBN take a language course at the library. They learn there "
        "together with other residents.",
    ),
    day=date(2020, 11, 12),
    themes=("taal", "nt1"),
    province="noord-brabant",
    library="biblioplus",
    sw_company="ibn",
    image=Illustration(
        title="Illustratie Cuijk: boekenplank",
        description="Tekening van een boekenplank met vijf boeken en het woord Cuijk.",
        label="Cuijk",
        motif="books",
        palette="teal",
    ),
    image_alt=Text(
        "Tekening van een boekenplank met boeken en het woord Cuijk.",
        "Drawing of a bookshelf with books and the word Cuijk.",
    ),
    facts_={
        "municipality": Text("Cuijk", "Cuijk"),
        "start_year": 2019,
        "target_groups": Text(
            "Medewerkers van IBN met Nederlands als eerste taal die beter willen lezen en "
            "schrijven. Ze zitten in de groep samen met inwoners die niet bij IBN werken.",
            "Employees of IBN with Dutch as their first language who want to read and write "
            "better. They share the group with residents who do not work at IBN.",
        ),
        "meetings_per_week": 2,
        "course_length": Text(
            "Twee keer anderhalf uur per week, hoogstens twee jaar",
            "Twice an hour and a half a week, for two years at most",
        ),
        "group_size": None,
        "funding": Text(
            "De proef krijgt subsidie van de gemeente. Voor de ruimte en de financiering zorgt "
            "de bibliotheek. Een bibliotheekpas kost medewerkers minder: de deelnemer, IBN en "
            "de bibliotheek delen de kosten in drie gelijke delen.",
            "The pilot gets a grant from the municipality. The library takes care of the room "
            "and the funding. A library card costs employees less: the participant, IBN and "
            "the library split the cost in three equal parts.",
        ),
        "participant_count": None,
        "results": Text(
            "De cursus loopt nu in Bergen en Cuijk. Er zijn 21 kleine groepen op 4 plekken van "
            "de bibliotheek. Biblioplus werkt in zeven gemeenten en wil de cursus ook in de "
            "andere gemeenten geven.",
            "The course now runs in Bergen and Cuijk. There are 21 small groups at 4 library "
            "branches. Biblioplus works in seven municipalities and wants to offer the course "
            "in the others as well.",
        ),
    },
    roles=bullets(
        (
            "<b>Bibliotheek:</b> zorgt voor de ruimte en het geld, en vult een ruilkast bij IBN "
            "met boeken.",
            "<b>Library:</b> provides the room and the money, and fills a book-swap cupboard "
            "at IBN with books.",
        ),
        (
            "<b>IBN:</b> houdt de intake met de eigen medewerkers. Zo wordt de stap naar de "
            "cursus kleiner.",
            "<b>IBN:</b> holds the intake with its own employees. That makes the step to the "
            "course smaller.",
        ),
        (
            "<b>Vrijwilligers van het Taalhuis:</b> oefenen met sommige deelnemers één op één.",
            "<b>Taalhuis volunteers:</b> practise one to one with some participants.",
        ),
    ),
    tips=[
        Text(
            "Zorg dat mensen meteen kunnen beginnen. Wie eindelijk de moed heeft gevonden, "
            "hoort niet op een wachtlijst.",
            "Make sure people can start straight away. Someone who has finally found the "
            "courage should not be put on a waiting list.",
        ),
        Text(
            "Houd de intake op het werk. Daar is de drempel lager. Daarna vinden mensen "
            "makkelijker de weg naar de bibliotheek.",
            "Hold the intake at work, where the threshold is lower. Afterwards people find "
            "their way to the library more easily.",
        ),
        Text(
            "Spreek af hoe lang iemand meedoet. Help deelnemers daarna op weg naar de gewone "
            "cursussen van de bibliotheek.",
            "Agree how long someone takes part. After that, help participants move on to the "
            "library's regular courses.",
        ),
    ],
    body=[
        paragraph(
            (
                "Bij sociaal werkbedrijf IBN werken mensen voor wie lezen en schrijven niet "
                "vanzelf gaat. Sinds 2019 kunnen zij een taalcursus volgen in de bibliotheek "
                "van Cuijk.",
                "Some people who work at SW company IBN find reading and writing hard. Since "
                "2019 they can take a language course at the library in Cuijk.",
            ),
            (
                "De cursus is voor mensen met Nederlands als eerste taal. Dat heet ook wel NT1. "
                "Medewerkers van IBN zitten in de groep naast inwoners die ergens anders werken.",
                "The course is for people with Dutch as their first language, also called NT1. "
                "Employees of IBN sit in the group next to residents who work elsewhere.",
            ),
        ),
        heading("Een bouwsteen van het Taalhuis", "A building block of the Taalhuis"),
        paragraph(
            (
                "De cursus hoort bij het Taalhuis van Biblioplus. Het Taalhuis doet nog veel meer:",
                "The course is part of the Taalhuis (language house) of Biblioplus. The "
                "Taalhuis does much more:",
            )
        ),
        rich_paragraph(
            bullets(
                (
                    "een plek in de bibliotheek met boeken en computers om te oefenen;",
                    "a place in the library with books and computers to practise on;",
                ),
                (
                    "vrijwilligers die één op één met iemand oefenen;",
                    "volunteers who practise one to one with someone;",
                ),
                (
                    "partners die zien wie hulp nodig heeft en die mensen doorsturen;",
                    "partners who notice who needs help and refer people;",
                ),
                (
                    "cursussen over computers en internet, en bijeenkomsten over taal en cultuur.",
                    "courses about computers and the internet, and meetings about language and "
                    "culture.",
                ),
            )
        ),
        heading("Zo gaat het", "How it works"),
        paragraph(
            (
                "De groep komt twee keer per week bij elkaar, steeds anderhalf uur. De twee "
                "lessen zijn direct na elkaar. Sommige mensen komen naar allebei.",
                "The group meets twice a week, for an hour and a half each time. The two "
                "lessons follow each other. Some people come to both.",
            ),
            (
                "Iedereen werkt aan wat hij of zij zelf nodig heeft. Vaak is dat een mix van "
                "verschillende vaardigheden.",
                "Everyone works on what they need themselves. Often that is a mix of different "
                "skills.",
            ),
            (
                "Een deelnemer doet hoogstens twee jaar mee via IBN. Daarna is het de bedoeling "
                "dat hij of zij doorgaat met een gewone cursus in de bibliotheek.",
                "A participant takes part through IBN for two years at most. After that, the "
                "idea is that they go on with a regular course at the library.",
            ),
        ),
        facts(
            AT_A_GLANCE,
            (("Gestart", "Started"), ("2019", "2019")),
            (("Lessen", "Lessons"), ("2 keer per week, 1,5 uur", "Twice a week, 1.5 hours")),
            (("Groepen", "Groups"), ("21 groepen op 4 plekken", "21 groups at 4 locations")),
            (("Meedoen", "Taking part"), ("Hoogstens 2 jaar", "Up to 2 years")),
        ),
        heading("Al tien jaar samen", "Ten years together"),
        paragraph(
            (
                "De bibliotheek en IBN werken al zo'n tien jaar samen aan lessen voor "
                "medewerkers. De bibliotheek vult ook een ruilkast met boeken bij IBN. Zo komen "
                "de boeken naar de mensen toe.",
                "The library and IBN have worked together on lessons for employees for about "
                "ten years. The library also fills a book-swap cupboard at IBN. That way the "
                "books come to the people.",
            )
        ),
        contact_call_to_action(),
    ],
)

DEVENTER = practice_example(
    "deventer",
    slug=Text("bibliotheek-deventer-en-konnected", "deventer-library-and-konnected"),
    title=Text(
        "Deventer: twee keer per week taalles op het werk",
        "Deventer: language lessons at work twice a week",
    ),
    summary=Text(
        "Tien medewerkers van KonnecteD krijgen twee keer per week taalles, in werktijd en op "
        "hun eigen werkplek. De bibliotheek regelt de lessen.",
        "Ten employees of KonnecteD get language lessons twice a week, during working hours and "
        "at their own workplace. The library organises the lessons.",
    ),
    day=date(2020, 11, 12),
    themes=("taal", "nt1", "digitale-vaardigheden"),
    province="overijssel",
    library="bibliotheek-deventer",
    sw_company="konnected",
    image=Illustration(
        title="Illustratie Deventer: laptop",
        description="Tekening van een laptop met regels tekst en het woord Deventer.",
        label="Deventer",
        motif="screen",
        palette="sky",
    ),
    image_alt=Text(
        "Tekening van een laptop met regels tekst en het woord Deventer.",
        "Drawing of a laptop showing lines of text and the word Deventer.",
    ),
    facts_={
        "municipality": Text("Deventer", "Deventer"),
        "start_year": 2020,
        "target_groups": Text(
            "Medewerkers van KonnecteD met Nederlands als eerste taal. Taal is voor hen "
            "lastig, en soms de computer ook.",
            "Employees of KonnecteD with Dutch as their first language. They find language "
            "hard, and sometimes computers too.",
        ),
        "meetings_per_week": 2,
        "course_length": Text(
            "Een proef van augustus 2020 tot februari 2021",
            "A pilot from August 2020 to February 2021",
        ),
        "group_size": 10,
        "funding": Text(
            "Met subsidie: voor een deel van de gemeente en voor een deel van de provincie, "
            "voor Taal werkt.",
            "With grants: partly from the municipality and partly from the province, for Taal "
            "werkt.",
        ),
        "participant_count": 10,
        "results": Text(
            "De groep is gemotiveerd en heeft plezier in de lessen. In de pauze pakken "
            "deelnemers een boek, en lezen ze thuis ook, dan zijn ze daar trots op. Het "
            "handschrift wordt mooier en de spelling gaat vooruit, bijvoorbeeld met "
            "hoofdletters.",
            "The group is motivated and enjoys the lessons. Participants pick up a book during "
            "breaks, and when they read at home too, they are proud of it. Handwriting is "
            "getting tidier and spelling is improving, for example the use of capital letters.",
        ),
    },
    roles=bullets(
        (
            "<b>Bibliotheek:</b> vraagt de subsidie aan, maakt de begroting, houdt het geld en "
            "de voortgang bij en zorgt voor vrijwilligers.",
            "<b>Library:</b> applies for the grant, draws up the budget, keeps track of the "
            "money and the progress, and provides volunteers.",
        ),
        (
            "<b>Taalaanbieder Toptaal:</b> houdt met elke cursist een intake en stemt de lessen "
            "af op wat iemand wil leren.",
            "<b>Language provider Toptaal:</b> holds an intake with each learner and fits the "
            "lessons to what they want to learn.",
        ),
        (
            "<b>Vrijwilligers van het Taalhuis:</b> helpen de docent en helpen bij het "
            "huiswerk. Ze hebben eerst een basistraining gevolgd.",
            "<b>Taalhuis volunteers:</b> support the teacher and help with homework. They first "
            "took a basic training.",
        ),
        (
            "<b>KonnecteD:</b> geeft de lessen een plek in het bedrijf en in de werktijd.",
            "<b>KonnecteD:</b> hosts the lessons in the company, during working hours.",
        ),
    ),
    tips=[
        Text(
            "Spreek vooraf af dat iedere deelnemer een eigen leerdoel heeft.",
            "Agree beforehand that every participant has a learning goal of their own.",
        ),
        Text(
            "Vraag deelnemers om echt tijd vrij te maken, ook voor huiswerk.",
            "Ask participants to really make time, for homework too.",
        ),
        Text(
            "Leg de afspraken vast in een intentieverklaring, zoals Deventer en KonnecteD deden.",
            "Put the agreements on paper in a declaration of intent, as Deventer and KonnecteD "
            "did.",
        ),
    ],
    body=[
        paragraph(
            (
                "In augustus 2020 begonnen Bibliotheek Deventer en sociaal werkbedrijf "
                "KonnecteD een proef. Tien medewerkers van KonnecteD krijgen les in taal. Dat "
                "gebeurt in het gebouw van KonnecteD, in werktijd.",
                "In August 2020, Bibliotheek Deventer and SW company KonnecteD started a pilot. "
                "Ten employees of KonnecteD get language lessons. The lessons take place in the "
                "KonnecteD building, during working hours.",
            ),
            (
                "De proef loopt tot februari 2021. De partners hebben hun samenwerking "
                "vastgelegd in een intentieverklaring.",
                "The pilot runs until February 2021. The partners have put their partnership on "
                "paper in a declaration of intent.",
            ),
        ),
        heading("Voor wie?", "Who is it for?"),
        paragraph(
            (
                "De lessen zijn voor medewerkers met Nederlands als eerste taal die moeite "
                "hebben met taal. Sommigen vinden ook de computer lastig.",
                "The lessons are for employees with Dutch as their first language who struggle "
                "with language. Some also find computers difficult.",
            ),
            (
                "Meedoen kan als je een eigen leerdoel hebt. Je belooft ook dat je er tijd in "
                "steekt.",
                "You can join if you have a learning goal of your own. You also promise to put "
                "time into it.",
            ),
        ),
        heading("De lessen", "The lessons"),
        paragraph(
            (
                "Eerst houdt taalaanbieder Toptaal een intake. Wat iemand wil leren, komt terug "
                "in de lessen.",
                "First, language provider Toptaal holds an intake. What someone wants to learn "
                "comes back in the lessons.",
            ),
            (
                "Er is twee keer per week les. Daarnaast maken de deelnemers huiswerk. Ze "
                "gebruiken het werkboek dat bij Oefenen.nl hoort.",
                "There are lessons twice a week. Participants also do homework. They use the "
                "workbook that goes with Oefenen.nl.",
            ),
            (
                "De lessen gaan over dingen die je elke dag tegenkomt. Vrijwilligers van het "
                "Taalhuis helpen de docent.",
                "The lessons are about things you come across every day. Volunteers from the "
                "Taalhuis support the teacher.",
            ),
        ),
        facts(
            AT_A_GLANCE,
            (("Deelnemers", "Participants"), ("10 medewerkers", "10 employees")),
            (("Lessen", "Lessons"), ("2 keer per week, in werktijd", "Twice a week, at work")),
            (
                ("Looptijd", "Duration"),
                ("Augustus 2020 tot februari 2021", "August 2020 to February 2021"),
            ),
            (("Geld", "Funding"), ("Gemeente en provincie", "Municipality and province")),
        ),
        heading("Wat levert het op?", "What does it bring?"),
        paragraph(
            (
                "Beide organisaties zijn blij met de aanpak. De deelnemers zetten zich in en "
                "hebben plezier in de lessen.",
                "Both organisations are happy with the approach. The participants work hard and "
                "enjoy the lessons.",
            ),
            (
                "Ook buiten de les zie je verschil. In de pauze pakken deelnemers een boek. Het "
                "handschrift wordt mooier en er gaan minder dingen mis met spelling en "
                "hoofdletters.",
                "You can see a difference outside the lessons too. Participants pick up a book "
                "during breaks. Handwriting is getting tidier and fewer things go wrong with "
                "spelling and capital letters.",
            ),
        ),
        contact_call_to_action(),
    ],
)

KENNEMERWAARD = practice_example(
    "kennemerwaard",
    slug=Text("kennemerwaard-en-wnk", "kennemerwaard-and-wnk"),
    title=Text(
        "Kennemerwaard: elke dinsdag Leerplein bij WNK",
        "Kennemerwaard: Leerplein at WNK every Tuesday",
    ),
    summary=Text(
        "Elke dinsdagochtend is er een Leerplein bij WNK. Medewerkers werken daar een uur aan "
        "taal, rekenen en de computer. Het Taalhuis van de bibliotheek begeleidt hen.",
        "Every Tuesday morning there is a Leerplein at WNK. Employees spend an hour there on "
        "language, numeracy and computer skills. The library's Taalhuis guides them.",
    ),
    day=date(2020, 10, 29),
    themes=("taal", "rekenen", "digitale-vaardigheden", "nt1", "werk"),
    province="noord-holland",
    library="bibliotheek-kennemerwaard",
    sw_company="wnk",
    image=Illustration(
        title="Illustratie Kennemerwaard: rekenen",
        description="Tekening van de som 1 plus 5 in gekleurde cirkels en het woord Kennemerwaard.",
        label="Kennemerwaard",
        motif="numbers",
        palette="sand",
    ),
    image_alt=Text(
        "Tekening van de som 1 plus 5 in gekleurde cirkels en het woord Kennemerwaard.",
        "Drawing of the sum 1 plus 5 in coloured circles and the word Kennemerwaard.",
    ),
    facts_={
        "municipality": Text("Alkmaar", "Alkmaar"),
        "start_year": 2019,
        "target_groups": Text(
            "Medewerkers van WNK die beter willen worden in taal, rekenen of de computer. "
            "Driekwart van hen heeft Nederlands als eerste taal.",
            "Employees of WNK who want to improve their language, numeracy or computer skills. "
            "Three in four of them have Dutch as their first language.",
        ),
        "meetings_per_week": 1,
        "course_length": Text(
            "Van zes keer tot meer dan een half jaar, net wat iemand nodig heeft",
            "From six sessions to more than half a year, whatever someone needs",
        ),
        "group_size": None,
        "funding": Text(
            "Met subsidie van de gemeente. Daarmee konden de partners betaalde begeleiders "
            "inzetten.",
            "With a grant from the municipality. This allowed the partners to use paid staff.",
        ),
        "participant_count": 70,
        "results": Text(
            "Op het drukste moment deden 70 mensen mee. Driekwart van hen had Nederlands als "
            "eerste taal. Een taalambassadeur van WNK haalt collega's over om mee te doen, en "
            "dat werkt goed.",
            "At the busiest time 70 people took part. Three in four of them had Dutch as their "
            "first language. A language ambassador from WNK persuades colleagues to join, and "
            "that works well.",
        ),
    },
    roles=bullets(
        (
            "<b>Taalhuis van de bibliotheek:</b> begeleidt het Leerplein bij WNK. De "
            "begeleiders kunnen een groep leiden en kennen Oefenen.nl goed.",
            "<b>The library's Taalhuis:</b> guides the Leerplein at WNK. The staff can lead a "
            "group and know Oefenen.nl well.",
        ),
        (
            "<b>WNK:</b> geeft medewerkers een uur per week in werktijd. Een taalambassadeur "
            "helpt collega's te werven.",
            "<b>WNK:</b> gives employees an hour a week during working hours. A language "
            "ambassador helps to recruit colleagues.",
        ),
        (
            "<b>Een collega met meer kennis:</b> beantwoordt vragen waar de begeleiders zelf "
            "geen antwoord op hebben.",
            "<b>A colleague with more expertise:</b> answers questions the staff cannot answer "
            "themselves.",
        ),
    ),
    tips=[
        Text(
            "Ga naar de mensen toe. Zoek partners en leer de doelgroep goed kennen.",
            "Go to the people. Look for partners and get to know the target group well.",
        ),
        Text(
            "Het gaat om kwetsbare mensen. Sta naast ze, niet boven ze, en gebruik humor. Je "
            "leert zelf ook veel van hen.",
            "These are vulnerable people. Stand beside them, not above them, and use humour. "
            "You will learn a lot from them too.",
        ),
        Text(
            "Blijf elkaar zien, ook als alles goed loopt. Zo blijft het contact tussen "
            "bibliotheek en werkbedrijf goed.",
            "Keep meeting, even when everything runs well. That keeps the contact between "
            "library and SW company good.",
        ),
        Text(
            "Vraag een collega om taalambassadeur te worden. Die haalt anderen makkelijker over.",
            "Ask a colleague to become a language ambassador. They find it easier to get others "
            "on board.",
        ),
    ],
    body=[
        paragraph(
            (
                "Sinds 2019 heeft sociaal werkbedrijf WNK een eigen Leerplein. Het Taalhuis van "
                "Bibliotheek Kennemerwaard verzorgt het. Elke dinsdagochtend kunnen medewerkers "
                "er terecht.",
                "Since 2019, SW company WNK has had its own Leerplein. The Taalhuis of "
                "Bibliotheek Kennemerwaard runs it. Employees can drop in every Tuesday "
                "morning.",
            ),
            (
                "Ze werken een uur aan wat ze willen leren: taal, rekenen of de computer. Dat "
                "uur valt in hun werktijd.",
                "They spend an hour on what they want to learn: language, numeracy or the "
                "computer. That hour is part of their working time.",
            ),
        ),
        heading("Waarom op het werk?", "Why at work?"),
        paragraph(
            (
                "Het doel is dat mensen meer zelf kunnen en meer vertrouwen krijgen. Daarvoor "
                "moeten ze kunnen blijven leren.",
                "The aim is that people can do more for themselves and gain confidence. For "
                "that, they need to be able to keep learning.",
            ),
            (
                "Vroeger moesten de medewerkers zelf naar de bibliotheek gaan. Weinig mensen "
                "deden dat. Nu gaat de bibliotheek naar WNK.",
                "In the past, employees had to go to the library themselves. Few people did. "
                "Now the library goes to WNK.",
            ),
        ),
        heading("Iedereen begint met een intake", "Everyone starts with an intake"),
        paragraph(
            (
                "In de intake bespreek je wat je wilt leren en waarom. Dat komt in een map van "
                "de deelnemer. Later komt daar ook de evaluatie in.",
                "In the intake you talk about what you want to learn and why. That goes into "
                "the participant's folder. Later the evaluation goes in there too.",
            ),
            (
                "In één groep zitten mensen met verschillende doelen. Iedereen oefent op een "
                "eigen manier, bijvoorbeeld met Klik &amp; Tik of met de rekenprogramma's van "
                "Oefenen.nl.",
                "One group has people with different goals. Everyone practises in their own "
                "way, for example with Klik &amp; Tik or with the numeracy programmes of "
                "Oefenen.nl.",
            ),
        ),
        facts(
            AT_A_GLANCE,
            (("Wanneer", "When"), ("Elke dinsdagochtend, 1 uur", "Every Tuesday morning, 1 hour")),
            (
                ("Onderwerpen", "Subjects"),
                ("Taal, rekenen en computer", "Language, numeracy and computer"),
            ),
            (
                ("Deelnemers", "Participants"),
                ("70 op het drukste moment", "70 at the busiest time"),
            ),
            (("Materiaal", "Materials"), ("Oefenen.nl", "Oefenen.nl")),
        ),
        heading("Tijdens corona", "During the pandemic"),
        paragraph(
            (
                "Corona maakt oefenen in een groep lastig. Daarom helpen de begeleiders nu één "
                "persoon tegelijk. Zodra het kan, gaat het Leerplein weer open.",
                "The pandemic makes practising in a group difficult. So for now the staff help "
                "one person at a time. As soon as possible, the Leerplein will open again.",
            )
        ),
        contact_call_to_action(),
    ],
)

GOUDA = practice_example(
    "gouda",
    slug=Text("bibliotheek-gouda-en-promen", "gouda-library-and-promen"),
    title=Text(
        "Gouda: Klik & Tik en Digisterker voor Promen",
        "Gouda: Klik & Tik and Digisterker for Promen",
    ),
    summary=Text(
        "Taalhuis Gouda geeft de cursussen Klik & Tik en Digisterker aan medewerkers van "
        "Promen. Elke groep heeft vijf plekken.",
        "Taalhuis Gouda runs the Klik & Tik and Digisterker courses for employees of Promen. "
        "Each group has five places.",
    ),
    day=date(2021, 4, 13),
    themes=("digitale-vaardigheden", "werk"),
    province="zuid-holland",
    library="bibliotheek-gouda",
    sw_company="promen",
    image=Illustration(
        title="Illustratie Gouda: tablet",
        description="Tekening van een scherm met regels tekst en het woord Gouda.",
        label="Gouda",
        motif="screen",
        palette="lilac",
    ),
    image_alt=Text(
        "Tekening van een scherm met regels tekst en het woord Gouda.",
        "Drawing of a screen showing lines of text and the word Gouda.",
    ),
    facts_={
        "municipality": Text("Gouda", "Gouda"),
        "start_year": 2018,
        "target_groups": Text(
            "Medewerkers van Promen die in of rond Gouda wonen of werken. Ze kunnen al een "
            "beetje lezen en schrijven.",
            "Employees of Promen who live or work in or around Gouda. They can already read and "
            "write a little.",
        ),
        "meetings_per_week": 4,
        "course_length": Text("Vijf bijeenkomsten", "Five sessions"),
        "group_size": 5,
        "funding": Text(
            "Met WEB-geld (Wet educatie en beroepsonderwijs) via de bibliotheek. De bibliotheek "
            "betaalt zelf ook een deel. Meedoen is gratis.",
            "With WEB funds (the Adult and Vocational Education Act) through the library, plus "
            "a contribution from the library itself. Taking part is free.",
        ),
        "participant_count": None,
        "results": Text(
            "Alle partners zijn tevreden, en de gemeente ook. Steeds meer medewerkers melden "
            "zich zelf aan. Een aantal deelnemers vroeg een jaar later of ze de cursus opnieuw "
            "mochten doen.",
            "All partners are satisfied, and so is the municipality. More and more employees "
            "sign up themselves. A year later, some participants asked if they could do the "
            "course again.",
        ),
    },
    roles=bullets(
        (
            "<b>Bibliotheek:</b> geeft de cursussen, neemt iPads mee en zet alles klaar op "
            "locatie. Dat klaarzetten kost zo'n 45 minuten.",
            "<b>Library:</b> runs the courses, brings iPads and sets everything up on location. "
            "Setting up takes about 45 minutes.",
        ),
        (
            "<b>Promen:</b> heeft één contactpersoon. Die zoekt deelnemers in het bedrijf en "
            "kiest wie meedoet zodra de bibliotheek laat weten dat er plek is.",
            "<b>Promen:</b> has one contact person. She looks for participants in the company "
            "and chooses who takes part as soon as the library says there is room.",
        ),
        (
            "<b>Docent en vrijwilligers:</b> een betaalde docent geeft les en vrijwilligers "
            "helpen mee.",
            "<b>Teacher and volunteers:</b> a paid teacher gives the lessons and volunteers help.",
        ),
    ),
    tips=[
        Text(
            "Begin er gewoon aan. Als partners in een netwerk heb je elkaar nodig.",
            "Just get started. As partners in a network you need each other.",
        ),
        Text(
            "Ga eerst de wijk in en leg contact. Kijk daarna pas hoe mensen de weg naar de "
            "bibliotheek vinden.",
            "Go into the neighbourhood first and make contact. Only then look at how people "
            "find their way to the library.",
        ),
        Text(
            "Houd de groepen klein. Bij een cursus voor beginners werkt vijf mensen het best.",
            "Keep the groups small. For a beginners' course, five people works best.",
        ),
    ],
    body=[
        paragraph(
            (
                "Promen is een sociaal werkbedrijf. Het biedt werk en opleiding aan mensen die "
                "het moeilijk hebben op de arbeidsmarkt.",
                "Promen is an SW company. It offers work and training to people who have a hard "
                "time on the job market.",
            ),
            (
                "Sinds het najaar van 2020 volgen medewerkers van Promen computercursussen bij "
                "Taalhuis Gouda. Het Taalhuis hoort bij de bibliotheek.",
                "Since the autumn of 2020, employees of Promen have taken computer courses at "
                "Taalhuis Gouda. The Taalhuis is part of the library.",
            ),
        ),
        heading("Twee cursussen", "Two courses"),
        rich_paragraph(
            bullets(
                (
                    "<b>Klik &amp; Tik:</b> de eerste stappen met een computer, tablet en "
                    "internet.",
                    "<b>Klik &amp; Tik:</b> first steps with a computer, a tablet and the "
                    "internet.",
                ),
                (
                    "<b>Digisterker:</b> zaken regelen met de overheid op internet, "
                    "bijvoorbeeld met DigiD.",
                    "<b>Digisterker:</b> dealing with the government online, for example with "
                    "DigiD.",
                ),
            )
        ),
        paragraph(
            (
                "Een cursus heeft vijf bijeenkomsten en vijf plekken. Een kleine groep werkt "
                "beter, zeker bij de basiscursus. Er zijn drie niveaus.",
                "A course has five sessions and five places. A small group works better, "
                "especially for the basic course. There are three levels.",
            ),
            (
                "Elke week zijn er twee groepen Klik &amp; Tik en twee groepen Digisterker.",
                "Every week there are two Klik &amp; Tik groups and two Digisterker groups.",
            ),
        ),
        heading("Waar?", "Where?"),
        paragraph(
            (
                "De lessen zijn in de Chocoladefabriek, het hoofdgebouw van de bibliotheek. Er "
                "zijn ook lessen in wijkgebouwen, en op locatie waar medewerkers van Promen "
                "werken.",
                "The lessons take place in the Chocoladefabriek, the library's main building. "
                "There are also lessons in neighbourhood buildings, and on location where "
                "Promen employees work.",
            )
        ),
        heading("Meteen gebruiken", "Put it to use straight away"),
        paragraph(
            (
                "Promen wil dat medewerkers het geleerde meteen kunnen gebruiken. Daarom leren "
                "ze ook werken met de personeelsapp, bijvoorbeeld om vrije dagen aan te vragen.",
                "Promen wants employees to be able to use what they learn straight away. That "
                "is why they also learn to use the staff app, for example to request days off.",
            ),
            (
                "Veel deelnemers hadden nog geen e-mailadres. In de cursus maken ze er een aan, "
                "in werktijd.",
                "Many participants did not have an e-mail address yet. They create one during "
                "the course, in working time.",
            ),
        ),
        facts(
            AT_A_GLANCE,
            (("Cursussen", "Courses"), ("Klik & Tik en Digisterker", "Klik & Tik and Digisterker")),
            (("Groep", "Group"), ("5 plekken, 5 bijeenkomsten", "5 places, 5 sessions")),
            (("Niveaus", "Levels"), ("3", "3")),
            (("Kosten voor deelnemers", "Cost for participants"), ("Gratis", "Free")),
        ),
        paragraph(
            (
                "Door corona lagen de cursussen een tijd stil. Zodra het weer mag, gaan ze verder.",
                "Because of the pandemic, the courses were paused for a while. They will start "
                "again as soon as that is allowed.",
            )
        ),
        contact_call_to_action(),
    ],
)

DE_PLATAAN = practice_example(
    "de-plataan",
    slug=Text("de-plataan-en-stroomopwaarts", "de-plataan-and-stroomopwaarts"),
    title=Text(
        "De Plataan en Stroomopwaarts: taal voor vier groepen",
        "De Plataan and Stroomopwaarts: language for four groups",
    ),
    summary=Text(
        "Bibliotheek de Plataan en Stroomopwaarts werken al meer dan tien jaar samen. Ze helpen "
        "vier groepen mensen met taal.",
        "Bibliotheek de Plataan and Stroomopwaarts have worked together for more than ten "
        "years. They help four groups of people with language.",
    ),
    day=date(2021, 9, 28),
    themes=("taal", "inburgering", "werk"),
    province="zuid-holland",
    library="bibliotheek-de-plataan",
    sw_company="stroomopwaarts",
    image=Illustration(
        title="Illustratie Maassluis: tekstballonnen",
        description="Tekening van twee tekstballonnen en het woord Maassluis.",
        label="Maassluis",
        motif="chat",
        palette="rose",
    ),
    image_alt=Text(
        "Tekening van twee tekstballonnen en het woord Maassluis.",
        "Drawing of two speech bubbles and the word Maassluis.",
    ),
    facts_={
        "municipality": Text("Maassluis", "Maassluis"),
        "start_year": 2011,
        "target_groups": Text(
            "Vier groepen: inwoners met een uitkering, het eigen personeel van Stroomopwaarts, "
            "nieuwkomers die inburgeren, en collega's bij Stroomopwaarts die doof of "
            "slechthorend zijn.",
            "Four groups: residents on benefits, Stroomopwaarts's own staff, newcomers going "
            "through civic integration, and colleagues at Stroomopwaarts who are deaf or hard "
            "of hearing.",
        ),
        "meetings_per_week": None,
        "course_length": Text("Buddytraject: een half jaar", "Buddy programme: six months"),
        "group_size": None,
        "funding": Text(
            "De partners legden hun afspraken vast in een convenant. Cursussen via de gemeente "
            "worden betaald met WEB-geld.",
            "The partners set down their agreements in a covenant. Courses through the "
            "municipality are paid for with WEB funds.",
        ),
        "participant_count": None,
        "results": Text(
            "In twee rondes van een half jaar zijn 40 buddy's opgeleid. Mensen met een laag "
            "inkomen krijgen een brief voor een gratis lidmaatschap. In Maassluis gaan er elk "
            "jaar 1200 brieven uit en 40 procent gaat op het aanbod in.",
            "In two rounds of six months, 40 buddies were trained. People on a low income get a "
            "letter offering free membership. In Maassluis 1,200 letters go out every year and "
            "40 percent take up the offer.",
        ),
    },
    roles=bullets(
        (
            "<b>Bibliotheek:</b> vier betaalde medewerkers, gemiddeld 20 uur per week, voor de "
            "coördinatie en de taallessen.",
            "<b>Library:</b> four paid staff, 20 hours a week on average, for coordination and "
            "language lessons.",
        ),
        (
            "<b>Vrijwilligers:</b> ongeveer 20 vrijwilligers draaien het Taalhuis.",
            "<b>Volunteers:</b> about 20 volunteers run the Taalhuis.",
        ),
        (
            "<b>Stroomopwaarts:</b> werkbegeleiders wijzen medewerkers op de lessen. "
            "Medewerkers worden buddy van een inburgeraar.",
            "<b>Stroomopwaarts:</b> work supervisors point employees to the lessons. Employees "
            "become the buddy of a newcomer.",
        ),
        (
            "<b>Gemeente:</b> een consulent stuurt mensen met een uitkering door naar het "
            "Taalhuis of een cursus.",
            "<b>Municipality:</b> a case worker refers people on benefits to the Taalhuis or a "
            "course.",
        ),
    ),
    tips=[
        Text(
            "Houd vol. Een samenwerking met een sociaal werkbedrijf bouw je niet in een paar "
            "weken op.",
            "Keep going. You do not build a partnership with an SW company in a few weeks.",
        ),
        Text(
            "Leg niets op aan de deelnemers. Kijk samen wat past.",
            "Do not impose anything on the participants. Find out together what fits.",
        ),
        Text(
            "Pas je taal aan aan de mensen voor wie je het doet.",
            "Adapt your language to the people you do it for.",
        ),
        Text(
            "Zorg dat alle gemeenten en partners achter de plannen staan. Een convenant helpt "
            "daarbij.",
            "Make sure all municipalities and partners support the plans. A covenant helps.",
        ),
    ],
    body=[
        paragraph(
            (
                "Bibliotheek de Plataan is ontstaan uit de bibliotheken van Vlaardingen en "
                "Maassluis-Midden-Delfland. Samen met sociaal werkbedrijf Stroomopwaarts helpt "
                "de bibliotheek mensen die beter Nederlands willen leren.",
                "Bibliotheek de Plataan was formed from the libraries of Vlaardingen and "
                "Maassluis-Midden-Delfland. Together with SW company Stroomopwaarts, the library "
                "helps people who want to improve their Dutch.",
            )
        ),
        heading("Zo begon het", "How it started"),
        paragraph(
            (
                "Het begon ruim tien jaar geleden klein. Enkele mensen van Stroomopwaarts kwamen "
                "de bibliotheek helpen. Ze gaven de boeken met informatie een nieuwe plek: per "
                "onderwerp, niet meer per nummer.",
                "It started small, more than ten years ago. A few people from Stroomopwaarts "
                "came to help the library. They gave the non-fiction books a new place: by "
                "subject, no longer by number.",
            ),
            (
                "Daarna bedachten de bibliotheek, Stroomopwaarts en Stichting Lezen en Schrijven "
                "samen projecten. Daar kwamen vier taaltrajecten uit.",
                "After that, the library, Stroomopwaarts and the Reading and Writing Foundation "
                "(Stichting Lezen en Schrijven) came up with projects together. Four language "
                "programmes came out of them.",
            ),
        ),
        heading("Vier groepen", "Four groups"),
        rich_paragraph(
            bullets(
                (
                    "<b>Mensen met een uitkering.</b> Dit is de grootste groep. Via de gemeente "
                    "doen ze een taaltest. Daarna kunnen ze naar het Taalhuis of naar een "
                    "cursus.",
                    "<b>People on benefits.</b> This is the largest group. They take a language "
                    "test through the municipality. After that they can go to the Taalhuis or "
                    "to a course.",
                ),
                (
                    "<b>Medewerkers van Stroomopwaarts.</b> Ze volgen hetzelfde traject. De "
                    "helft van de tijd is werktijd.",
                    "<b>Employees of Stroomopwaarts.</b> They follow the same programme. Half of "
                    "the time is working time.",
                ),
                (
                    "<b>Inburgeraars.</b> Zij lopen als buddy mee met een medewerker van "
                    "Stroomopwaarts. Zo leren ze Nederlands op het werk.",
                    "<b>Newcomers.</b> They work alongside an employee of Stroomopwaarts as "
                    "buddies. That way they learn Dutch at work.",
                ),
                (
                    "<b>Dove en slechthorende medewerkers.</b> Hun begeleiders en collega's "
                    "krijgen een basiscursus gebarentaal.",
                    "<b>Deaf and hard-of-hearing employees.</b> Their supervisors and colleagues "
                    "get a basic course in sign language.",
                ),
            )
        ),
        facts(
            AT_A_GLANCE,
            (("Samen sinds", "Together since"), ("Ongeveer 2011", "Around 2011")),
            (
                ("Mensen", "People"),
                ("4 betaald, ongeveer 20 vrijwilligers", "4 paid, about 20 volunteers"),
            ),
            (("Buddy's", "Buddies"), ("40 opgeleid in 2 rondes", "40 trained in 2 rounds")),
            (("Brieven", "Letters"), ("1200 per jaar in Maassluis", "1,200 a year in Maassluis")),
        ),
        heading("Gratis lid van de bibliotheek", "Free library membership"),
        paragraph(
            (
                "Wie een uitkering heeft of taalles volgt, kan gratis lid worden van de "
                "bibliotheek. Je komt in aanmerking als je inkomen niet hoger is dan 110 "
                "procent van het minimum.",
                "Anyone on benefits or taking language lessons can become a library member for "
                "free. You qualify if your income is no more than 110 percent of the minimum.",
            ),
            (
                "In Maassluis krijgen zo elk jaar 1200 mensen een brief. Ongeveer 4 op de 10 "
                "gaan op het aanbod in.",
                "In Maassluis, 1,200 people get a letter about this every year. About 4 in 10 "
                "take up the offer.",
            ),
        ),
        paragraph(
            (
                "Door corona lag het project anderhalf jaar stil. De partners kijken nu hoe ze "
                "weer kunnen beginnen.",
                "Because of the pandemic, the project was on hold for a year and a half. The "
                "partners are now looking at how to start again.",
            )
        ),
        contact_call_to_action(),
    ],
)

INTERVIEW_GOUDA = interview(
    "interview-gouda",
    slug=Text("interview-taalhuis-gouda", "interview-taalhuis-gouda"),
    title=Text(
        "Taalhuis Gouda en Promen: leren waar mensen werken",
        "Taalhuis Gouda and Promen: learning where people work",
    ),
    summary=Text(
        "Ijlal van Taalhuis Gouda vertelt hoe de bibliotheek en Promen samen computercursussen "
        "geven. En wat andere bibliotheken daarvan kunnen leren.",
        "Ijlal of Taalhuis Gouda explains how the library and Promen run computer courses "
        "together. And what other libraries can learn from it.",
    ),
    day=date(2021, 4, 13),
    themes=("digitale-vaardigheden", "werk"),
    province="zuid-holland",
    partners=("bibliotheek-gouda", "promen"),
    image=Illustration(
        title="Illustratie interview Taalhuis Gouda: groep mensen",
        description="Tekening van vier mensen naast elkaar en de woorden Taalhuis Gouda.",
        label="Taalhuis Gouda",
        motif="group",
        palette="sky",
    ),
    image_alt=Text(
        "Tekening van vier mensen naast elkaar en de woorden Taalhuis Gouda.",
        "Drawing of four people side by side and the words Taalhuis Gouda.",
    ),
    interviewee=Text("Ijlal", "Ijlal"),
    role=Text("coördinator van Taalhuis Gouda", "coordinator of Taalhuis Gouda"),
    organisation="bibliotheek-gouda",
    portrait=Avatar(
        title="Portret Ijlal (illustratie)",
        description="Illustratie met de letter I, in plaats van een foto van Ijlal.",
        letter="I",
        palette="lilac",
    ),
    portrait_alt=Text(
        "Illustratie met de letter I, in plaats van een foto van Ijlal.",
        "Illustration with the letter I, instead of a photo of Ijlal.",
    ),
    body=[
        paragraph(
            (
                "Niet iedereen komt uit zichzelf naar de bibliotheek. Daarom werkt Taalhuis "
                "Gouda sinds 2018 samen met sociaal werkbedrijf Promen. We spraken met Ijlal "
                "van het Taalhuis.",
                "Not everyone comes to the library on their own. That is why Taalhuis Gouda has "
                "worked with SW company Promen since 2018. We talked to Ijlal of the Taalhuis.",
            )
        ),
        question(
            ("Hoe kwam de samenwerking tot stand?", "How did the partnership start?"),
            (
                "Ik woon en werk in Gouda. Daardoor ken ik de organisaties in de stad goed. Zo "
                "was het contact met Promen snel gelegd.",
                "I live and work in Gouda, so I know the organisations in town well. That made "
                "it easy to get in touch with Promen.",
            ),
            (
                "Promen was al bezig met digitaal werken. Dat past goed bij wat de bibliotheek "
                "doet. En onze contactpersoon bij Promen vond taal en digitale vaardigheden ook "
                "belangrijk.",
                "Promen was already working on going digital. That fits well with what the "
                "library does. And our contact person at Promen also cared about language and "
                "digital skills.",
            ),
        ),
        question(
            ("Hoe ziet de samenwerking eruit?", "What does the partnership look like?"),
            (
                "In het najaar van 2020 zijn we begonnen met Klik &amp; Tik en Digisterker. Elke "
                "week zijn er twee groepen van elke cursus. Een cursus heeft vijf bijeenkomsten "
                "en vijf plekken.",
                "We started Klik &amp; Tik and Digisterker in the autumn of 2020. Every week "
                "there are two groups of each course. A course has five sessions and five "
                "places.",
            ),
            (
                "Klik &amp; Tik is echt voor beginners. Met een grotere groep lukt dat niet "
                "goed. Een betaalde docent geeft les en vrijwilligers helpen. Het programma ligt "
                "vast, maar er is altijd tijd voor vragen.",
                "Klik &amp; Tik really is for beginners. That does not work well with a bigger "
                "group. A paid teacher gives the lessons and volunteers help. The programme is "
                "fixed, but there is always time for questions.",
            ),
        ),
        question(
            ("Waar zijn de cursussen?", "Where are the courses?"),
            (
                "In ons hoofdgebouw, de Chocoladefabriek. Maar we gaan ook steeds vaker de wijk "
                "in, naar wijkgebouwen. Daar zitten ook het sociaal team, welzijnswerk en het "
                "Centrum voor Jeugd en Gezin.",
                "In our main building, the Chocoladefabriek. But more and more often we also go "
                "into the neighbourhoods, to community buildings. The social team, welfare "
                "services and the youth and family centre are there too.",
            ),
            (
                "We geven de cursus ook op locatie. Zo leren medewerkers Klik &amp; Tik kennen "
                "op hun eigen werkplek.",
                "We also run the course on location. That way employees get to know Klik &amp; "
                "Tik at their own workplace.",
            ),
        ),
        quote(
            "Ons doel is vooral dat mensen meer zelf kunnen. Als ze daarna ook boeken komen "
            "lenen, is dat mooi meegenomen.",
            "Our main goal is that people can do more for themselves. If they then come to "
            "borrow books as well, that is a bonus.",
            Text("Ijlal, Taalhuis Gouda", "Ijlal, Taalhuis Gouda"),
        ),
        question(
            ("Wat leren de deelnemers?", "What do participants learn?"),
            (
                "Ze leren de basis van de computer en de tablet. Ze leren ook de personeelsapp "
                "van Promen gebruiken, bijvoorbeeld om verlof aan te vragen.",
                "They learn the basics of the computer and the tablet. They also learn to use "
                "Promen's staff app, for example to request leave.",
            ),
            (
                "Veel deelnemers hadden nog geen e-mailadres. Dat maken ze nu in de cursus aan, "
                "in werktijd.",
                "Many participants did not have an e-mail address yet. They now create one "
                "during the course, in working time.",
            ),
        ),
        question(
            ("Wie doet wat?", "Who does what?"),
            (
                "Promen heeft één contactpersoon voor ons. Zij zoekt deelnemers in het bedrijf. "
                "Wij geven de cursus en nemen de iPads mee.",
                "Promen has one contact person for us. She looks for participants in the "
                "company. We run the course and bring the iPads.",
            ),
            (
                "Als er weer plek is, laten wij dat aan Promen weten. Dan kiest Promen wie er "
                "mee kan doen. Wie meedoet, moet al wat kunnen lezen en schrijven.",
                "When there is room again, we let Promen know. Then Promen chooses who can take "
                "part. Whoever joins must already be able to read and write a bit.",
            ),
            (
                "Alles klaarzetten op locatie kost ons ongeveer drie kwartier. Dat komt bovenop "
                "de lessen.",
                "Setting everything up on location takes us about three quarters of an hour. "
                "That comes on top of the lessons.",
            ),
        ),
        question(
            ("Hoe wordt het betaald?", "How is it paid for?"),
            (
                "Met WEB-geld via de bibliotheek, en de bibliotheek betaalt zelf ook mee. Voor "
                "de deelnemers is het gratis. In 2021 hebben we besloten om door te gaan met "
                "Promen.",
                "With WEB funds through the library, and the library contributes too. It is "
                "free for the participants. In 2021 we decided to carry on with Promen.",
            ),
        ),
        facts(
            IN_SHORT,
            (("Samen sinds", "Together since"), ("2018", "2018")),
            (("Cursussen", "Courses"), ("Klik & Tik en Digisterker", "Klik & Tik and Digisterker")),
            (("Per groep", "Per group"), ("5 plekken", "5 places")),
            (
                ("Klaarzetten op locatie", "Setting up on location"),
                ("Ongeveer 45 minuten", "About 45 minutes"),
            ),
        ),
        question(
            ("Hoe is het om met deze groep te werken?", "What is it like to work with this group?"),
            (
                "Je hebt er veel tijd en geduld voor nodig, meer dan bij een gewone groep van "
                "Klik &amp; Tik. En elke groep is anders: de ene kan meer aan dan de andere.",
                "You need a lot of time and patience for it, more than with an ordinary Klik "
                "&amp; Tik group. And every group is different: one can handle more than "
                "another.",
            ),
            (
                "Maar het levert ook veel op. Dankzij Promen zien we nu een nieuwe groep mensen. "
                "De deelnemers waren echt geïnteresseerd. Een jaar later vroegen sommigen of ze "
                "opnieuw mochten meedoen.",
                "But it also brings a lot. Thanks to Promen we now reach a new group of people. "
                "The participants were really interested. A year later, some asked if they "
                "could join again.",
            ),
        ),
        question(
            ("Waar ben je het meest trots op?", "What are you most proud of?"),
            (
                "Alle partners zijn tevreden, en de gemeente ook. En er melden zich steeds meer "
                "medewerkers aan vanaf de werkvloer.",
                "All partners are satisfied, and so is the municipality. And more and more "
                "employees sign up from the shop floor.",
            ),
        ),
        question(
            ("Wat wil je andere bibliotheken meegeven?", "What would you tell other libraries?"),
            (
                "Begin er gewoon aan! Als partners in een netwerk heb je elkaar nodig. Ga de wijk "
                "in en leg contact. Pas daarna kijk je hoe mensen de weg naar de bibliotheek "
                "vinden. Alleen red je het als bibliotheek niet.",
                "Just get started! As partners in a network you need each other. Go into the "
                "neighbourhood and make contact. Only then do you look at how people find their "
                "way to the library. As a library you cannot manage on your own.",
            ),
        ),
        contact_call_to_action(),
    ],
)

INTERVIEW_DE_PLATAAN = interview(
    "interview-de-plataan",
    slug=Text("interview-bibliotheek-de-plataan", "interview-de-plataan-library"),
    title=Text(
        "De Plataan en Stroomopwaarts: al tien jaar samen",
        "De Plataan and Stroomopwaarts: ten years together",
    ),
    summary=Text(
        "Marian, adjunct-directeur van Bibliotheek de Plataan, vertelt over de samenwerking met "
        "Stroomopwaarts. Over vier groepen, buddy's en volhouden.",
        "Marian, deputy director of Bibliotheek de Plataan, talks about working with "
        "Stroomopwaarts. About four groups, buddies and keeping going.",
    ),
    day=date(2021, 9, 30),
    themes=("taal", "inburgering", "werk"),
    province="zuid-holland",
    partners=("bibliotheek-de-plataan", "stroomopwaarts"),
    image=Illustration(
        title="Illustratie interview De Plataan: groep mensen",
        description="Tekening van vier mensen naast elkaar en de woorden De Plataan.",
        label="De Plataan",
        motif="group",
        palette="sage",
    ),
    image_alt=Text(
        "Tekening van vier mensen naast elkaar en de woorden De Plataan.",
        "Drawing of four people side by side and the words De Plataan.",
    ),
    interviewee=Text("Marian", "Marian"),
    role=Text(
        "adjunct-directeur van Bibliotheek de Plataan", "deputy director of Bibliotheek de Plataan"
    ),
    organisation="bibliotheek-de-plataan",
    portrait=Avatar(
        title="Portret Marian (illustratie)",
        description="Illustratie met de letter M, in plaats van een foto van Marian.",
        letter="M",
        palette="sage",
    ),
    portrait_alt=Text(
        "Illustratie met de letter M, in plaats van een foto van Marian.",
        "Illustration with the letter M, instead of a photo of Marian.",
    ),
    body=[
        paragraph(
            (
                "Bibliotheek de Plataan en sociaal werkbedrijf Stroomopwaarts werken al ruim "
                "tien jaar samen. De bibliotheek is een fusie van de bibliotheken in Vlaardingen "
                "en Maassluis-Midden-Delfland. We spraken met adjunct-directeur Marian.",
                "Bibliotheek de Plataan and SW company Stroomopwaarts have worked together for "
                "more than ten years. The library is a merger of the libraries in Vlaardingen "
                "and Maassluis-Midden-Delfland. We talked to deputy director Marian.",
            )
        ),
        question(
            ("Hoe begon het?", "How did it start?"),
            (
                "Zo'n tien jaar geleden kwamen er mensen van Stroomopwaarts bij ons helpen. "
                "Samen zetten we de informatieve boeken anders neer: per onderwerp, niet meer "
                "per nummer.",
                "About ten years ago, people from Stroomopwaarts came to help us. Together we "
                "rearranged the non-fiction books: by subject, no longer by number.",
            ),
            (
                "In die tijd ging een manager van Stroomopwaarts zich bezighouden met scholing "
                "en ontwikkeling. Zo vonden we elkaar.",
                "Around that time a manager at Stroomopwaarts started working on training and "
                "development. That is how we found each other.",
            ),
            (
                "Daarna bedachten we projecten, samen met Stichting Lezen en Schrijven, "
                "Stroomopwaarts en de bibliotheek in Maassluis. We wilden mensen helpen om weer "
                "een baan te vinden. Er kwamen ook vier taaltrajecten uit.",
                "Then we came up with projects, together with the Reading and Writing "
                "Foundation, Stroomopwaarts and the library in Maassluis. We wanted to help "
                "people find a job again. They also led to four language programmes.",
            ),
        ),
        question(
            ("Hoe is het om met deze groep te werken?", "What is it like to work with this group?"),
            (
                "Ik ken deze groep van huis uit. Zowel mijn vader als de vader van mijn partner "
                "gaf leiding bij een sociaal werkbedrijf. Ik voel me dus verbonden met deze "
                "mensen.",
                "I know this group from home. Both my father and my partner's father were "
                "managers at an SW company. So I feel connected to these people.",
            ),
            (
                "Dat heb je ook nodig. Je moet dit werk echt zelf willen doen, of het nu gaat om "
                "medewerkers van een werkbedrijf of om inburgeraars.",
                "You need that, too. You have to really want to do this work yourself, whether "
                "it is for employees of an SW company or for newcomers.",
            ),
        ),
        question(
            ("Ging de samenwerking altijd makkelijk?", "Was the partnership always easy?"),
            (
                "Met Stroomopwaarts zelf liep het goed. Maar we begonnen in Maassluis, en daar "
                "woont maar 20 procent van de cliënten. De directie wilde dat de andere "
                "gemeenten ook meededen.",
                "With Stroomopwaarts itself it went well. But we started in Maassluis, where "
                "only 20 percent of the clients live. The management wanted the other "
                "municipalities to take part too.",
            ),
            (
                "Die gemeenten wilden niet altijd hetzelfde. We moesten dus veel overleggen, en "
                "dat kostte energie. Gelukkig vond iedereen de deelnemers het belangrijkst. Zo "
                "kwam er een convenant waar alle partners achter staan.",
                "Those municipalities did not always want the same things. So we had to talk a "
                "lot, and that took energy. Luckily everyone put the participants first. That "
                "led to a covenant all partners support.",
            ),
        ),
        quote(
            "Je kunt deze mensen niets opleggen. Je moet aansluiten bij wat zij willen, en "
            "praten in hun taal.",
            "You cannot impose anything on these people. You have to connect with what they "
            "want, and speak their language.",
            Text("Marian, Bibliotheek de Plataan", "Marian, Bibliotheek de Plataan"),
        ),
        question(
            (
                "Hoe ziet het werk er in de praktijk uit?",
                "What does the work look like in practice?",
            ),
            (
                "Vier mensen van de bibliotheek waren er in hun betaalde werktijd mee bezig, elk "
                "gemiddeld zo'n 20 uur per week. Ze regelden de coördinatie en gaven de "
                "taallessen. Het Taalhuis draaide op ongeveer 20 vrijwilligers.",
                "Four library staff worked on it in their paid hours, each about 20 hours a "
                "week on average. They handled the coordination and gave the language lessons. "
                "The Taalhuis ran on about 20 volunteers.",
            ),
            (
                "Mensen met een uitkering waren de grootste groep. Zij deden via de gemeente een "
                "taaltest van Stichting Lezen en Schrijven. Daarna kon de consulent hen "
                "doorsturen naar het Taalhuis, naar een cursus of naar Stroomopwaarts.",
                "People on benefits were the largest group. Through the municipality they took a "
                "language test from the Reading and Writing Foundation. Then the case worker "
                "could refer them to the Taalhuis, to a course or to Stroomopwaarts.",
            ),
            (
                "Medewerkers van Stroomopwaarts konden hetzelfde traject volgen, voor de helft "
                "in werktijd. Hun werkbegeleiders wezen hen op de mogelijkheden.",
                "Employees of Stroomopwaarts could follow the same programme, half of it in "
                "working time. Their work supervisors pointed out the options.",
            ),
        ),
        question(
            ("Wat deden jullie voor inburgeraars?", "What did you do for newcomers?"),
            (
                "Twintig medewerkers van Stroomopwaarts werden buddy van een inburgeraar, 20 uur "
                "per week. De inburgeraar liep mee in hun werk. Zo leerde hij of zij Nederlands "
                "op de werkvloer.",
                "Twenty employees of Stroomopwaarts became the buddy of a newcomer, 20 hours a "
                "week. The newcomer worked alongside them. That way they learned Dutch on the "
                "job.",
            ),
            (
                "Beide kanten waren er blij mee. De buddy's maakten kennis met een andere "
                "cultuur, en ze merkten dat ze echt meetelden. We hebben twee keer een half jaar "
                "lang 20 buddy's opgeleid.",
                "Both sides were glad of it. The buddies got to know another culture, and they "
                "noticed that they really counted. We trained 20 buddies twice, for six months "
                "each time.",
            ),
        ),
        question(
            (
                "En de dove en slechthorende medewerkers?",
                "And the deaf and hard-of-hearing employees?",
            ),
            (
                "Zij werken bij Stroomopwaarts in Schiedam. Hun werkbegeleiders en collega's "
                "kregen een basiscursus gebarentaal. Nu kunnen ze beter met elkaar praten, "
                "bijvoorbeeld in de kantine.",
                "They work at Stroomopwaarts in Schiedam. Their supervisors and colleagues got a "
                "basic course in sign language. Now they can talk to each other better, for "
                "example in the canteen.",
            ),
        ),
        facts(
            IN_SHORT,
            (("Samen sinds", "Together since"), ("Ongeveer 2011", "Around 2011")),
            (
                ("Mensen", "People"),
                (
                    "4 betaalde krachten en ongeveer 20 vrijwilligers",
                    "4 paid staff and about 20 volunteers",
                ),
            ),
            (("Buddy's", "Buddies"), ("2 rondes van 20", "2 rounds of 20")),
            (
                ("Gratis lidmaatschap", "Free membership"),
                (
                    "1200 brieven per jaar in Maassluis, 40% reageert",
                    "1,200 letters a year in Maassluis, 40% respond",
                ),
            ),
        ),
        question(
            ("Wat levert het op?", "What does it bring?"),
            (
                "We bereiken een grote groep die uit zichzelf niet met taal bezig is. Voor mij "
                "is een sociaal werkbedrijf een plek waar je mensen vindt die je anders moeilijk "
                "bereikt.",
                "We reach a large group that would not work on language by themselves. To me, "
                "an SW company is a place where you find people who are otherwise hard to "
                "reach.",
            ),
            (
                "Wie een uitkering heeft of taalles volgt, mag bovendien gratis lid worden van "
                "de bibliotheek. In Maassluis sturen we daarover elk jaar 1200 brieven. Ongeveer "
                "40 procent gaat op het aanbod in.",
                "On top of that, anyone on benefits or taking language lessons may join the "
                "library for free. In Maassluis we send 1,200 letters about this every year. "
                "About 40 percent take up the offer.",
            ),
        ),
        question(
            ("Wat wil je andere bibliotheken meegeven?", "What would you tell other libraries?"),
            (
                "Een sociaal werkbedrijf is een ingewikkelde organisatie. Samenwerken vraagt "
                "geduld en doorzetten. Maar het werk geeft veel voldoening.",
                "An SW company is a complicated organisation. Working together takes patience "
                "and perseverance. But the work is very rewarding.",
            ),
            (
                "Wij hebben lesmateriaal en een training voor taalmaatjes gemaakt. Iedereen kan "
                "die gebruiken via Stichting Lezen en Schrijven.",
                "We made teaching materials and a training for language buddies. Anyone can use "
                "them through the Reading and Writing Foundation.",
            ),
        ),
        paragraph(
            (
                "Door corona lag het project anderhalf jaar stil. De bibliotheek en "
                "Stroomopwaarts bekijken nu hoe ze weer kunnen beginnen.",
                "Because of the pandemic, the project was on hold for a year and a half. The "
                "library and Stroomopwaarts are now looking at how to start again.",
            )
        ),
        contact_call_to_action(),
    ],
)

# Oldest first, so the newest story gets the highest id (the index sorts by date, then id).
STORIES = [
    KENNEMERWAARD,
    CUIJK,
    DEVENTER,
    GOUDA,
    INTERVIEW_GOUDA,
    DE_PLATAAN,
    INTERVIEW_DE_PLATAAN,
]
