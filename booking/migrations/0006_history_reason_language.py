"""History records keep the language a typed reason was written in (empty for the reasons the
system writes, which are kept in English and read in each reader's language)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_attendance_status"),
    ]

    operations = [
        migrations.AddField(
            model_name=model_name,
            name="reason_language",
            field=models.CharField(
                blank=True, max_length=10, verbose_name="language of the reason"
            ),
        )
        for model_name in (
            "historicalattendance",
            "historicalbooking",
            "historicalcoursegroup",
            "historicalseat",
            "historicalsession",
        )
    ]
