"""Attendance becomes present, absent or excused instead of a yes/no box. Recorded marks keep
their meaning, in the live rows and in their history: yes is present, no is absent."""

from django.db import migrations, models

STATUS_CHOICES = [("present", "Present"), ("absent", "Absent"), ("excused", "Excused")]


def from_boolean(apps, schema_editor):
    for name in ("Attendance", "HistoricalAttendance"):
        model = apps.get_model("booking", name)
        # The one-off conversion of a new column: history records keep saying what they said.
        model._default_manager.filter(present=True).update(status="present")


def to_boolean(apps, schema_editor):
    for name in ("Attendance", "HistoricalAttendance"):
        model = apps.get_model("booking", name)
        model._default_manager.filter(status="present").update(present=True)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_history_previous_version_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES,
                default="absent",
                max_length=10,
                verbose_name="attendance",
            ),
        ),
        migrations.AddField(
            model_name="historicalattendance",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES,
                default="absent",
                max_length=10,
                verbose_name="attendance",
            ),
        ),
        migrations.RunPython(from_boolean, to_boolean),
        migrations.RemoveField(model_name="attendance", name="present"),
        migrations.RemoveField(model_name="historicalattendance", name="present"),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["present", "absent", "excused"])),
                name="attendance_status_valid",
            ),
        ),
    ]
