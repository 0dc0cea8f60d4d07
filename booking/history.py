"""The booking history read model: what the audit log, the timelines, the portal and the API
show of the history tables.

The five history tables (groups, sessions, bookings, seats, attendance) are read as one
stream of entries, newest first. Each table contributes the same three columns to a UNION
ALL, so ordering and pagination happen in the database; only the records of one page are
then loaded, with the version before each of them and the names they refer to, in a fixed
number of queries however long the history is. Readers at an SW company see who at their own
company or at a library changed something, never the names of people at other companies.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.admin.utils import get_user_display_name

from booking.models import Action, Attendance, Booking, CourseGroup, Organisation, Seat, Session
from booking.models.history import SystemReason
from booking.roles import library_of
from booking.selectors import groups_visible_to

ACTION_CHOICES = Action.choices
ACTION_LABELS = dict(ACTION_CHOICES)
EMPTY = "—"


# -- the history tables ------------------------------------------------------------------------


def _what_happened():
    """The action of a record as the log names it; the same expression filters and shows."""
    return Case(
        When(history_type="-", then=Value(Action.DELETED.value)),
        When(action="", history_type="+", then=Value(Action.CREATED.value)),
        When(action="", then=Value(Action.EDITED.value)),
        default=F("action"),
        output_field=models.CharField(),
    )


def _reference(path: str | None):
    return F(path) if path else Value(None, output_field=IntegerField())


@dataclass(frozen=True)
class Source:
    """One history table, and how its records lead to their group, booking and SW company."""

    model: type[models.Model]
    group: str
    booking: str | None = None
    company: str | None = None
    # Links to the row above it; the entry already says which group or booking it is about.
    context_fields: tuple[str, ...] = ()

    @property
    def history_model(self):
        return self.model.history.model

    def records(self) -> QuerySet:
        return self.history_model._default_manager.all()

    def annotated(self, index: int) -> QuerySet:
        return self.records().annotate(
            source_index=Value(index, output_field=IntegerField()),
            group_ref=F(self.group),
            booking_ref=_reference(self.booking),
            company_ref=_reference(self.company),
            what=_what_happened(),
        )

    def previous_version(self):
        """The history_id of the record before each record of the same row."""
        earlier = Q(history_date__lt=OuterRef("history_date")) | Q(
            history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id")
        )
        return Subquery(
            self.records()
            .filter(earlier, id=OuterRef("id"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )

    @cached_property
    def shown_fields(self) -> list[models.Field]:
        hidden = {"id", *self.context_fields}
        names = [f.name for f in self.history_model.tracked_fields if f.editable]
        return [self.history_model._meta.get_field(n) for n in names if n not in hidden]


SOURCES = (
    Source(CourseGroup, group="id"),
    Source(Session, group="group_id", context_fields=("group",)),
    Source(
        Booking,
        group="group_id",
        booking="id",
        company="organisation_id",
        context_fields=("group",),
    ),
    Source(
        Seat,
        group="booking__group_id",
        booking="booking_id",
        company="booking__organisation_id",
        context_fields=("booking",),
    ),
    Source(
        Attendance,
        group="seat__booking__group_id",
        booking="seat__booking_id",
        company="seat__booking__organisation_id",
        context_fields=("session", "seat"),
    ),
)
BOOKING_SOURCES = (Booking, Seat, Attendance)


def deleted_groups_of(library) -> QuerySet:
    """Ids of the library's groups that were deleted (planned by mistake): their history
    stays readable for the library."""
    return CourseGroup.history.filter(history_type="-", library=library).values("id")


def visible_history(user) -> Q:
    """Which history records `user` may read in the audit log: everything for superusers,
    the records about their own library's groups for coordinators, nothing otherwise."""
    if user.is_superuser:
        return Q()
    library = library_of(user)
    if library is None:
        return Q(pk__in=[])
    return Q(group_ref__in=groups_visible_to(user).values("pk")) | Q(
        group_ref__in=deleted_groups_of(library)
    )


def about_organisation(organisation) -> Q:
    """Records about an organisation: its groups if it is a library, its bookings if it is an
    SW company."""
    return (
        Q(company_ref=organisation.pk)
        | Q(group_ref__in=CourseGroup.objects.filter(library=organisation).values("pk"))
        | Q(group_ref__in=deleted_groups_of(organisation))
    )


def history_rows(
    *,
    scope: Q,
    refine: Callable[[QuerySet], QuerySet] | None = None,
    models_: Iterable[type[models.Model]] | None = None,
) -> QuerySet:
    """Rows (source_index, history_id, history_date) of the history, newest first.

    `scope` and `refine` filter each table on the annotations of `Source.annotated`
    (group_ref, booking_ref, company_ref, what) or on simple-history's own columns.
    """
    parts = []
    for index, source in enumerate(SOURCES):
        if models_ is not None and source.model not in models_:
            continue
        queryset = source.annotated(index).filter(scope)
        if refine is not None:
            queryset = refine(queryset)
        parts.append(queryset.order_by().values("source_index", "history_id", "history_date"))
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-history_date", "-source_index", "-history_id")


def history_user_ids(scope: Q) -> set[int]:
    """Everyone who changed something inside `scope` (one query)."""
    parts = [
        source.annotated(index)
        .filter(scope, history_user__isnull=False)
        .order_by()
        .values_list("history_user_id", flat=True)
        for index, source in enumerate(SOURCES)
    ]
    return set(parts[0].union(*parts[1:]))


# -- turning records into entries --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    """One history record as people read it: when, who, what happened, what changed, why."""

    when: datetime.datetime
    who: str
    action: str
    action_label: str
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's history_type)
    subject_type: str
    subject: str
    group_id: int | None
    group_label: str
    group_exists: bool
    booking_id: int | None
    company_label: str
    reason: str
    # The language of `reason` where it is not the reader's (a reason typed in the other one).
    reason_language: str = ""
    changes: list[Change] = field(default_factory=list)

    @property
    def is_creation(self) -> bool:
        return self.kind == "+"

    @property
    def changes_text(self) -> str:
        """The changes on one line, for exports."""
        if self.is_creation:
            return "; ".join(f"{change.field}: {change.new}" for change in self.changes)
        return "; ".join(f"{change.field}: {change.old} → {change.new}" for change in self.changes)


# What a row's name needs besides the row itself.
LABEL_RELATIONS = {CourseGroup: ("course", "location"), Booking: ("organisation",)}


class Labels:
    """Names of related rows, fetched once per model for a whole page of entries."""

    def __init__(self):
        self.wanted: dict[type, set] = defaultdict(set)
        self.found: dict[type, dict] = {}
        self.seat_numbers: dict[int, int] = {}

    def want(self, model, pk):
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self):
        user_model = get_user_model()
        for model, ids in self.wanted.items():
            rows = model._default_manager.select_related(*LABEL_RELATIONS.get(model, ()))
            describe = {user_model: get_user_display_name, Seat: _first_name}.get(model, str)
            self.found[model] = {obj.pk: describe(obj) for obj in rows.filter(pk__in=ids)}
        self._number_seats()

    def _number_seats(self):
        """Seats are numbered 1, 2, 3… within their booking, in the order they were booked:
        the numbers a contact person recognises, not the database's ids."""
        seat_ids = self.wanted.get(Seat)
        if not seat_ids:
            return
        bookings = Seat.objects.filter(pk__in=seat_ids).values("booking_id")
        rows = Seat.objects.filter(booking_id__in=bookings).order_by("booking_id", "pk")
        position, booking_id = 0, None
        for pk, seat_booking in rows.values_list("pk", "booking_id"):
            position = position + 1 if seat_booking == booking_id else 1
            booking_id = seat_booking
            self.seat_numbers[pk] = position

    def seat(self, pk, first_name=None) -> str:
        """A seat as its booking knows it: the participant's first name, or its number in
        the booking while there is no name (not given yet, or removed after the course)."""
        if first_name is None:
            first_name = self.found.get(Seat, {}).get(pk, "")
        if first_name:
            return first_name
        number = self.seat_numbers.get(pk)
        if number is None:
            return gettext("a seat that no longer exists")
        return gettext("seat %(number)s of the booking") % {"number": number}

    def exists(self, model, pk) -> bool:
        return pk in self.found.get(model, {})

    def get(self, model, pk) -> str:
        if pk is None:
            return ""
        try:
            return self.found[model][pk]
        except KeyError:
            return gettext("%(thing)s %(number)s (deleted)") % {
                "thing": capfirst(model._meta.verbose_name),
                "number": pk,
            }


def _first_name(seat) -> str:
    return seat.first_name


def _is_empty(value) -> bool:
    return value is None or value == "" or value == {}


def _show(field: models.Field, value, labels: Labels) -> str:
    """A value as the admin shows it: choice labels, names instead of ids, local times."""
    if _is_empty(value):
        return EMPTY
    if field.is_relation:
        return labels.get(field.related_model, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.JSONField):
        # An intake's answers: that it was done, not the answers themselves, in the history.
        return gettext("filled in")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value)


def _raw_changes(source: Source, record, previous) -> list[tuple[models.Field, object, object]]:
    """(field, old, new) for each field that changed; a new row lists what it started with."""
    if record.history_type == "+":
        return [
            (f, None, getattr(record, f.attname))
            for f in source.shown_fields
            if not _is_empty(getattr(record, f.attname))
        ]
    if record.history_type == "-" or previous is None:
        return []
    delta = record.diff_against(previous, included_fields=[f.name for f in source.shown_fields])
    order = {f.name: position for position, f in enumerate(source.shown_fields)}
    changes = sorted(delta.changes, key=lambda change: order[change.field])
    return [(record._meta.get_field(c.field), c.old, c.new) for c in changes]


def _subject(source: Source, record, labels: Labels) -> str:
    model = source.model
    if model is Session:
        return _session_text(record.date, record.starts_at, record.ends_at)
    if model is Seat:
        return labels.seat(record.id, record.first_name)
    if model is Attendance:
        return gettext("%(seat)s at %(session)s") % {
            "seat": labels.seat(record.seat_id),
            "session": labels.get(Session, record.session_id),
        }
    return labels.get(model, record.id)


def _session_text(date, starts_at, ends_at) -> str:
    return f"{date_format(date, 'SHORT_DATE_FORMAT')} {starts_at:%H:%M}–{ends_at:%H:%M}"


def load_entries(rows: Iterable[dict], *, shown_to=None) -> list[Entry]:
    """The entries of these history rows, in the same order.

    `shown_to`: the SW company that reads them (portal, API). A change made by someone at
    another SW company — their cancellation moved our seat up the waiting list — then names
    nobody: that person's name is not ours to show.
    """
    rows = list(rows)
    wanted = defaultdict(list)
    for row in rows:
        wanted[row["source_index"]].append(row["history_id"])

    labels = Labels()
    loaded = {}
    for index, ids in wanted.items():
        source = SOURCES[index]
        records = list(
            source.annotated(index)
            .filter(history_id__in=ids)
            .annotate(previous_id=source.previous_version())
            .select_related("history_user__membership__organisation")
        )
        previous = source.records().in_bulk([r.previous_id for r in records if r.previous_id])
        for record in records:
            changes = _raw_changes(source, record, previous.get(record.previous_id))
            loaded[(index, record.history_id)] = (source, record, changes)
            labels.want(CourseGroup, record.group_ref)
            labels.want(Organisation, record.company_ref)
            if source.model in (CourseGroup, Booking, Seat):
                labels.want(source.model, record.id)
            if source.model is Attendance:
                labels.want(Seat, record.seat_id)
                labels.want(Session, record.session_id)
            for changed_field, old, new in changes:
                if changed_field.is_relation:
                    labels.want(changed_field.related_model, old)
                    labels.want(changed_field.related_model, new)
    labels.load()

    entries = []
    for row in rows:
        source, record, changes = loaded[(row["source_index"], row["history_id"])]
        entries.append(_entry(source, record, changes, labels, shown_to))
    return entries


@functools.cache
def _system_reasons_in(language: str) -> dict[str, SystemReason]:
    with translation.override(language):
        return {str(reason.label): reason for reason in SystemReason}


def _reason_for_reader(text: str, language: str) -> dict[str, str]:
    """The reason in the reader's language where the system wrote it, else as it was typed
    with the language it was typed in (when that is not the reader's)."""
    if not language:
        if text in SystemReason.values:
            reason = SystemReason(text)
        else:
            # Written before reasons were kept in English: in the site's main language.
            reason = _system_reasons_in(settings.LANGUAGE_CODE).get(text)
        if reason is not None:
            return {"reason": str(reason.label), "reason_language": ""}
    reader = translation.get_language() or settings.LANGUAGE_CODE
    shown_language = "" if not language or language == reader else language
    return {"reason": text, "reason_language": shown_language}


def _author(user, shown_to) -> str:
    if user is None:
        return gettext("system")
    if shown_to is not None and not user.is_superuser:
        membership = getattr(user, "membership", None)
        organisation = membership.organisation if membership else None
        if organisation is None or not (organisation.is_library or organisation == shown_to):
            return gettext("someone at another organisation")
    return get_user_display_name(user)


def _entry(source: Source, record, changes, labels: Labels, shown_to=None) -> Entry:
    return Entry(
        when=record.history_date,
        who=_author(record.history_user, shown_to),
        action=record.what,
        action_label=str(ACTION_LABELS.get(record.what, record.what)),
        kind=record.history_type,
        subject_type=str(capfirst(source.model._meta.verbose_name)),
        subject=_subject(source, record, labels),
        group_id=record.group_ref,
        group_label=labels.get(CourseGroup, record.group_ref),
        group_exists=labels.exists(CourseGroup, record.group_ref),
        booking_id=record.booking_ref,
        company_label=labels.get(Organisation, record.company_ref),
        **_reason_for_reader(record.history_change_reason or "", record.reason_language),
        changes=[
            Change(
                field=str(capfirst(changed.verbose_name)),
                old=_show(changed, old, labels),
                new=_show(changed, new, labels),
            )
            for changed, old, new in changes
        ],
    )
