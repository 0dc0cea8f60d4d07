"""Certificates: a page a participant is proud to receive, made at the moment it is printed.

What a certificate says comes from the seat's group (course, level, library, place, dates) and
its attendance; the participant's full name is typed by the person who prints it and goes
straight into the PDF or the preview (rule 13). It is never saved, logged, put in the history
or handed to a task: nothing here writes anything. Who may print one, and when, is
`policies.check_can_print_certificate`.

The PDF uses DejaVu Sans, kept with its licence in static/fonts/dejavu/, so every letter of a
name (Ş, Ł, ő, …) prints on a fresh machine with only the pip packages installed.
"""

import datetime
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.db.models import Max, Min
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from fpdf import FPDF

from booking.models import CoursePage, Seat
from booking.policies import sessions_present
from core.input import NameField

NAME_MAX_LENGTH = 100
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu"
FONT = "DejaVu"
LANGUAGES = [code for code, _name in settings.LANGUAGES]

# The site's colours (static/css/leerplein.css): the primary blue for the title and the
# frame, the body text colour for the rest.
PRIMARY = (26, 58, 107)
TEXT = (27, 31, 36)
MUTED = (74, 83, 97)


@dataclass(frozen=True)
class Certificate:
    """Every text on a certificate except the name, in the certificate's language."""

    language: str
    title: str
    intro: str
    took_part: str
    where: str
    when: str
    attended: str
    praise: str
    signature: str
    library: str
    date_label: str
    printed_on: str
    course: str
    level: int
    first_date: datetime.date | None
    last_date: datetime.date | None


def _course_title(course: CoursePage, language: str) -> str:
    """The course's title in `language`: its live translation, else the page the group uses."""
    translated = (
        CoursePage.objects.live()
        .filter(translation_key=course.translation_key, locale__language_code=language)
        .values_list("title", flat=True)
        .first()
    )
    return translated or course.title


def certificate_for(*, seat: Seat, language: str, today: datetime.date | None = None):
    """The texts of `seat`'s certificate in `language` ("nl" or "en")."""
    if language not in LANGUAGES:
        raise ValueError(f"No certificate in language {language!r}")
    group = seat.booking.group
    dates = group.sessions.aggregate(first=Min("date"), last=Max("date"))
    first, last = dates["first"], dates["last"]
    present = sessions_present(seat)
    sessions = group.sessions.count()
    course = _course_title(group.course, language)
    today = today or timezone.localdate()
    with translation.override(language):
        if first and last and first != last:
            when = _("from %(first)s to %(last)s") % {
                "first": date_format(first, "j F Y"),
                "last": date_format(last, "j F Y"),
            }
        elif first:
            when = _("on %(date)s") % {"date": date_format(first, "j F Y")}
        else:
            when = ""
        return Certificate(
            language=language,
            title=_("Certificate"),
            intro=_("This certificate is for"),
            took_part=_("took part in %(course)s, level %(level)s")
            % {
                "course": course,
                "level": group.level,
            },
            where=_("at %(library)s in %(place)s")
            % {
                "library": group.library.name,
                "place": group.location.city,
            },
            when=when,
            attended=ngettext(
                "You were at %(present)s of the %(sessions)s session.",
                "You were at %(present)s of the %(sessions)s sessions.",
                sessions,
            )
            % {"present": present, "sessions": sessions},
            praise=_(
                "Well done! In this course you learned new things on the computer and the "
                "internet. Keep practising: it gets easier every time."
            ),
            signature=_("Signature of the library"),
            library=group.library.name,
            date_label=_("Date"),
            printed_on=date_format(today, "j F Y"),
            course=course,
            level=group.level,
            first_date=first,
            last_date=last,
        )


def certificate_filename(certificate: Certificate) -> str:
    """E.g. certificaat-klik-tik-niveau-1.pdf, in the certificate's language."""
    with translation.override(certificate.language):
        words = f"{_('certificate')} {certificate.course} {_('level')} {certificate.level}"
    return f"{slugify(words)}.pdf"


class _CertificatePDF(FPDF):
    def fit_font_size(self, text: str, *, width: float, largest: int, smallest: int) -> int:
        """The largest size from `largest` down to `smallest` at which `text` fits `width`."""
        for size in range(largest, smallest - 1, -2):
            self.set_font_size(size)
            if self.get_string_width(text) <= width:
                return size
        self.set_font_size(smallest)
        return smallest


def certificate_pdf(*, seat: Seat, name: str, language: str) -> bytes:
    """An A4 landscape certificate for `seat` with `name` on it, in `language`.

    Raises nothing about the rules: the caller asks `check_can_print_certificate` first. The
    name is only drawn, never kept."""
    certificate = certificate_for(seat=seat, language=language)
    pdf = _CertificatePDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_lang(language)
    pdf.set_title(certificate.title)
    pdf.set_creator("Leerplein")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    page_width = pdf.w
    text_width = page_width - 60
    pdf.set_margins(30, 20, 30)

    # A double frame, like the certificates people hang on the wall.
    pdf.set_draw_color(*PRIMARY)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, page_width - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, page_width - 28, pdf.h - 28)

    def line(text, *, size, style="", color=TEXT, height=None, space_after=0):
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(
            text_width, height or size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT"
        )
        if space_after:
            pdf.ln(space_after)

    pdf.set_y(26)
    line(certificate.title, size=40, style="B", color=PRIMARY, space_after=6)
    line(certificate.intro, size=16, color=MUTED, space_after=4)

    pdf.set_font(FONT, "B")
    size = pdf.fit_font_size(name, width=text_width, largest=34, smallest=18)
    line(name, size=size, style="B", height=size * 0.55, space_after=6)

    line(certificate.took_part, size=18, space_after=2)
    line(certificate.where, size=16)
    if certificate.when:
        line(certificate.when, size=16)
    pdf.ln(4)
    line(certificate.attended, size=14, color=MUTED, space_after=6)
    line(certificate.praise, size=15, height=8)

    # Room to sign, and the day it was printed.
    bottom = pdf.h - 36
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(40, bottom, 130, bottom)
    pdf.line(page_width - 130, bottom, page_width - 40, bottom)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, "", 12)
    pdf.set_xy(40, bottom + 2)
    pdf.multi_cell(90, 6, f"{certificate.signature}\n{certificate.library}", align="C")
    pdf.set_xy(page_width - 130, bottom - 7)
    pdf.set_text_color(*TEXT)
    pdf.cell(90, 6, certificate.printed_on, align="C")
    pdf.set_text_color(*MUTED)
    pdf.set_xy(page_width - 130, bottom + 2)
    pdf.cell(90, 6, certificate.date_label, align="C")
    return bytes(pdf.output())


class CertificateForm(forms.Form):
    """The name to print and the language of the certificate. The name is checked as typed:
    required, at least one letter, at most 100 characters, without surrounding spaces."""

    name = NameField(
        label=gettext_lazy("Name on the certificate"),
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy(
            "Type the full name as the participant wants it on the certificate. "
            "We do not save this name."
        ),
        error_messages={
            "required": gettext_lazy("Type the name for the certificate."),
            "no_letter": gettext_lazy("A name needs at least one letter."),
            "max_length": gettext_lazy(
                "A name can have at most %(limit_value)d characters. "
                "You typed %(show_value)d characters."
            ),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the certificate"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a language."),
            "invalid_choice": gettext_lazy("Choose a language."),
        },
    )

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
        self.fields["language"].initial = current if current in LANGUAGES else LANGUAGES[0]


def pdf_response(*, seat, name: str, language: str) -> HttpResponse:
    """The certificate as a download that no cache keeps."""
    data = certificate_pdf(seat=seat, name=name, language=language)
    filename = certificate_filename(certificate_for(seat=seat, language=language))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
