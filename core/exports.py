"""Spreadsheet exports (CSV and XLSX) for every admin listing that offers them.

Wagtail's SpreadsheetExportMixin writes the files; `SafeSpreadsheetExportMixin` adds what our
exports need on top of it, in one place:

- Text someone typed (a first name, a reason, the name of a place) never runs as a formula.
  A spreadsheet program runs a CSV cell that starts with =, +, -, @ or a tab as a formula (CSV
  injection), so every CSV cell that is text, whatever object it came from, gets a leading
  apostrophe then, which the program shows as text. In XLSX every string is stored as a
  string cell (Wagtail turns what openpyxl takes for a formula back into text), so the cell
  keeps exactly what was typed.
- Times are written in the user's time zone, as the admin shows them.
- A CSV is written in the language and time zone of the request that asked for it. Wagtail
  streams it: the rows are written while the response is sent, after the view has returned
  and after the admin's `translation.override` for the user's language has ended. Each piece
  is therefore written inside the request's language and time zone again, so a long export
  still streams instead of being built in memory first. (An XLSX file is written inside the
  view, so it needs nothing of the kind.)
"""

import datetime

from django.utils import timezone, translation
from django.utils.encoding import force_str
from wagtail.admin.views.mixins import SpreadsheetExportMixin

# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value) -> str:
    """`value` as a CSV cell that a spreadsheet program shows as text, never runs."""
    text = force_str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _local_text(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def _local_naive(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_naive(value) if timezone.is_aware(value) else value


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """CSV and XLSX exports in the user's language and local time, whose cells never run as
    formulas. Use it instead of Wagtail's SpreadsheetExportMixin, or put it before a view that
    has Wagtail's (IndexView, ReportView).

    `export_basename`, when set, names the file `<basename>-<today>`; otherwise Wagtail's
    `export_filename` (or the view's own `get_filename`) names it.
    """

    FORMAT_CSV = SpreadsheetExportMixin.FORMAT_CSV
    FORMAT_XLSX = SpreadsheetExportMixin.FORMAT_XLSX

    custom_value_preprocess = {
        datetime.datetime: {FORMAT_CSV: _local_text, FORMAT_XLSX: _local_naive},
        (datetime.date, datetime.time): {FORMAT_XLSX: None},
        list: SpreadsheetExportMixin.custom_value_preprocess[list],
    }
    export_basename: str | None = None

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        # After the conversion to text: a place or a page becomes its name only then.
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            return as_text(value)
        return value

    def get_filename(self):
        if self.export_basename:
            return f"{self.export_basename}-{timezone.localdate():%Y-%m-%d}"
        return super().get_filename()

    def stream_csv(self, queryset):
        language, zone = translation.get_language(), timezone.get_current_timezone()
        pieces = super().stream_csv(queryset)

        def in_request_language():
            while True:
                with translation.override(language), timezone.override(zone):
                    piece = next(pieces, None)
                if piece is None:
                    return
                yield piece

        return in_request_language()
