"""Spreadsheet exports (CSV and XLSX) for every admin listing that offers them.

Wagtail's SpreadsheetExportMixin writes the files; `SafeSpreadsheetExportMixin` adds what our
exports need on top of it, in one place:

- A CSV opens as columns in Dutch Excel. Excel reads a CSV with the list separator of the
  computer's region, which is ';' in the Netherlands (',' is the decimal sign there), and
  reads it as UTF-8 only when the file starts with a byte order mark. So our CSV is UTF-8
  with a BOM and ';' between the cells; Python reads it back with `encoding="utf-8-sig"` and
  `delimiter=";"`, and so does any program that lets you choose.
- An XLSX says what it is: its sheet is named after the export (not "Sheet1"), and a title
  block above the header row names it, e.g. for an attendance list the course, level,
  library, place, dates and trainer, and for the audit log and reports the filters in force,
  with the moment of download. The header row stays in view while scrolling and is printed
  on every page.
- A CSV has no title block: its first row is the header row and every row after it is data.
  That is what every program that imports a CSV assumes (Excel's import, another
  administration, pandas, `csv.DictReader`); rows above the header would be taken for data
  or for the header itself. People who want to read or print a list take the XLSX; the CSV
  is the one for machines, and its file name still says what it is.
- Text someone typed (a first name, a reason, the name of a place) never runs as a formula.
  A spreadsheet program runs a CSV cell that starts with =, +, -, @ or a tab as a formula (CSV
  injection), so every CSV cell that is text, whatever object it came from, gets a leading
  apostrophe then, which the program shows as text. In XLSX every string is stored as a
  string cell (Wagtail turns what openpyxl takes for a formula back into text, and so does
  the title block), so the cell keeps exactly what was typed.
- Times are written in the user's time zone, as the admin shows them.
- A CSV is written in the language and time zone of the request that asked for it. Wagtail
  streams it: the rows are written while the response is sent, after the view has returned
  and after the admin's `translation.override` for the user's language has ended. Each piece
  is therefore written inside the request's language and time zone again, so a long export
  still streams instead of being built in memory first. (An XLSX file is written inside the
  view, so it needs nothing of the kind.)
"""

import codecs
import csv
import datetime
import re

from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from wagtail.admin.views.mixins import Echo, ExcelDateFormatter, SpreadsheetExportMixin

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


# What Dutch Excel expects of a CSV: ';' between the cells, UTF-8 announced by a BOM.
CSV_DELIMITER = ";"
# Excel refuses these in a sheet's name, and a name longer than 31 characters.
SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def sheet_name(title, fallback: str = "Export") -> str:
    """`title` as a name Excel accepts for a sheet."""
    name = " ".join(SHEET_NAME_REFUSED.sub(" ", force_str(title)).split())
    # Excel also refuses an apostrophe at either end.
    name = name[:SHEET_NAME_LENGTH].strip("' ")
    return name or fallback


def detail_text(value) -> str:
    """A value in the title block, as the admin writes it in the user's language."""
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return force_str(value)


def _text_cell(worksheet, value, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value)
    if cell.data_type == "f":
        # What openpyxl takes for a formula is text someone typed.
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


class SafeSpreadsheetExportMixin(SpreadsheetExportMixin):
    """CSV and XLSX exports in the user's language and local time, whose cells never run as
    formulas. Use it instead of Wagtail's SpreadsheetExportMixin, or put it before a view that
    has Wagtail's (IndexView, ReportView).

    `export_basename`, when set, names the file `<basename>-<today>`; otherwise Wagtail's
    `export_filename` (or the view's own `get_filename`) names it.

    The XLSX's title block: `get_export_title()` (by default the view's `page_title`) names
    the sheet and heads it; `get_export_details()` gives the (label, value) lines under it:
    by default the filters in force and the moment of download. A view adds what its export
    is about (the group of an attendance list) by extending the latter.
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

    # -- what the export is -------------------------------------------------------------

    def get_export_title(self) -> str:
        return force_str(getattr(self, "page_title", "") or self.get_filename())

    def get_export_details(self) -> list[tuple[str, str]]:
        """(label, value) lines for the title block: the filters in force, one line per
        filter, and when it was downloaded."""
        filters: dict[str, list[str]] = {}
        for active in getattr(self, "active_filters", None) or []:
            filters.setdefault(force_str(active.field_label), []).append(force_str(active.value))
        details = [(label, ", ".join(values)) for label, values in filters.items()]
        details.append((_("Downloaded"), detail_text(timezone.now())))
        return details

    # -- CSV ------------------------------------------------------------------------------

    def _csv_pieces(self, queryset):
        """Wagtail's CSV, but with Dutch Excel's separator and a BOM in front."""
        writer = csv.DictWriter(Echo(), fieldnames=self.list_export, delimiter=CSV_DELIMITER)
        header = {field: self.get_heading(queryset, field) for field in self.list_export}
        yield codecs.BOM_UTF8 + writer.writerow(header)
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))

    def stream_csv(self, queryset):
        language, zone = translation.get_language(), timezone.get_current_timezone()
        pieces = self._csv_pieces(queryset)

        def in_request_language():
            while True:
                with translation.override(language), timezone.override(zone):
                    piece = next(pieces, None)
                if piece is None:
                    return
                yield piece

        return in_request_language()

    def write_csv_response(self, queryset):
        response = super().write_csv_response(queryset)
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response

    # -- XLSX -----------------------------------------------------------------------------

    def write_xlsx(self, queryset, output):
        """Wagtail's XLSX, on a named sheet with the title block above the header row."""
        workbook = Workbook(write_only=True, iso_dates=True)
        title = self.get_export_title()
        worksheet = workbook.create_sheet(title=sheet_name(title, self.get_filename()[:31]))
        details = self.get_export_details()

        # The title, its details, an empty row, then the header row. A write-only sheet
        # writes its frozen panes before its first row, so they are set first.
        header_row = 1 + len(details) + 2
        worksheet.freeze_panes = f"A{header_row + 1}"
        worksheet.print_title_rows = f"{header_row}:{header_row}"

        bold = Font(bold=True)
        worksheet.append([_text_cell(worksheet, title, Font(bold=True, size=14))])
        for label, value in details:
            worksheet.append([_text_cell(worksheet, label, bold), _text_cell(worksheet, value)])
        worksheet.append([])
        worksheet.append(
            _text_cell(worksheet, self.get_heading(queryset, field), bold)
            for field in self.list_export
        )

        excel_date_format = ExcelDateFormatter().get()
        for item in queryset:
            worksheet.append(
                self.generate_xlsx_row(
                    worksheet, self.to_row_dict(item), date_format=excel_date_format
                )
            )

        workbook.save(output)
