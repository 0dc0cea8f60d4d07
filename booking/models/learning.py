"""The learner's path around a seat: the intake and its advice, trainers and their notes,
and the anonymous evaluation of a group (issue 14).

What is kept about a person is as little as the path needs, and goes with the seat's other
details (rule 9): the intake's answers and advice live on the seat (`Seat.intake`), a
trainer's note is deleted with the group's details, and an evaluation has no link to a seat,
a person or a moment finer than its day.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin
from wagtail.search import index

from .groups import CourseGroup, Session

MAX_NOTE_LENGTH = 2000


class IntakeQuestion(TranslatableMixin, models.Model):
    """One can-you question of the intake ("Can you switch on a tablet?"), answered yes or no
    by a colleague with their job coach. Coordinators edit them in the admin; the order is
    from the most basic skill to the most advanced."""

    sort_order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Questions are asked from low to high.")
    )
    question = models.CharField(
        _("question"),
        max_length=150,
        help_text=_("A short question someone can answer with yes or no. Plain words."),
    )
    explanation = models.CharField(
        _("explanation"),
        max_length=300,
        blank=True,
        help_text=_("Optional: one sentence that helps the job coach ask it."),
    )

    panels = [FieldPanel("question"), FieldPanel("explanation"), FieldPanel("sort_order")]
    search_fields = [index.SearchField("question")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "pk"]
        verbose_name = _("intake question")
        verbose_name_plural = _("intake questions")

    def __str__(self):
        return self.question


class AdviceRule(TranslatableMixin, models.Model):
    """What the intake advises: the first rule, in order, whose question was answered "no"
    gives the course and level; the rule without a question applies when every question was
    answered "yes"."""

    sort_order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("Rules are tried from low to high.")
    )
    when_no_to = models.ForeignKey(
        IntakeQuestion,
        verbose_name=_("when the answer is no to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="advice_rules",
        help_text=_("Leave empty for the advice when every question was answered yes."),
    )
    course = models.ForeignKey(
        "booking.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The course to advise."),
    )
    level = models.PositiveSmallIntegerField(
        _("level"),
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text=_("1, 2 or 3."),
    )
    reason = models.CharField(
        _("reason"),
        max_length=200,
        help_text=_("One plain sentence that says why, e.g. “You learn to use a mouse first.”"),
    )

    panels = [
        FieldPanel("when_no_to"),
        FieldPanel("course"),
        FieldPanel("level"),
        FieldPanel("reason"),
        FieldPanel("sort_order"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "pk"]
        verbose_name = _("advice rule")
        verbose_name_plural = _("advice rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="advicerule_level_1_to_3"
            ),
        ]

    def __str__(self):
        return self.reason


class TrainerAssignment(models.Model):
    """A trainer teaches a group: the paid trainer or a volunteer who helps."""

    class Kind(models.TextChoices):
        TRAINER = "trainer", _("Trainer")
        VOLUNTEER = "volunteer", _("Volunteer")

    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("course group"),
        on_delete=models.CASCADE,
        related_name="trainer_assignments",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.CASCADE,
        related_name="trainer_assignments",
    )
    kind = models.CharField(_("role"), max_length=10, choices=Kind.choices, default=Kind.TRAINER)

    class Meta:
        ordering = ["kind", "trainer__first_name", "pk"]
        verbose_name = _("trainer of a group")
        verbose_name_plural = _("trainers of groups")
        constraints = [
            models.UniqueConstraint(fields=["group", "trainer"], name="trainer_once_per_group"),
            models.CheckConstraint(
                condition=Q(kind__in=["trainer", "volunteer"]), name="trainerassignment_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.trainer} – {self.group}"


class SessionNote(models.Model):
    """A trainer's note for the coordinator about one session ("Anja needs a bigger screen").

    It may be about a person, so it has no history and is deleted with the group's
    participant details (rule 9)."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("note"), max_length=MAX_NOTE_LENGTH)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note about a session")
        verbose_name_plural = _("notes about sessions")

    def __str__(self):
        return self.text[:60]


class Evaluation(models.Model):
    """One participant's anonymous evaluation of a group, filled in at the last session.

    Nothing links it to a seat or a person, and it keeps only the day, so that the order of
    the answers cannot be matched with who handed in the tablet when."""

    group = models.ForeignKey(
        CourseGroup,
        verbose_name=_("course group"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    score = models.PositiveSmallIntegerField(
        _("score"),
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1 to 10."),
    )
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_("The other questions' answers, by question; never free text."),
    )
    submitted_on = models.DateField(_("day"))

    class Meta:
        # Ordered by group only: the order of submission must not be readable.
        ordering = ["group", "score"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=10), name="evaluation_score_1_to_10"
            ),
        ]

    def __str__(self):
        return _("Score %(score)s") % {"score": self.score}


class TrainerCalendar(models.Model):
    """The secret address of a trainer's own calendar of sessions, for calendar apps.

    Renewing it replaces the token, so the old address stops working at once."""

    trainer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.CASCADE,
        related_name="trainer_calendar",
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("trainer's calendar address")
        verbose_name_plural = _("trainers' calendar addresses")

    def __str__(self):
        return str(self.trainer)
