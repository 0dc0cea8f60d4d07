"""The intake's questions and advice rules for the demo (demo/content/intake.yaml), in Dutch
with English translations made through wagtail-localize, like the themes.

A question is found by its Dutch text and a rule by its order, so running the loader again
adds nothing and keeps what coordinators changed in the admin.
"""

from pathlib import Path

import yaml

from booking.models import AdviceRule, IntakeQuestion

from .bilingual import Text, english_strings
from .translation import translate_snippet

INTAKE_FILE = Path(__file__).resolve().parent / "content" / "intake.yaml"


def _english(*pairs) -> dict[str, str]:
    """Dutch -> English, in the form wagtail-localize stores them (demo/bilingual.py)."""
    return english_strings([Text(nl=pair["nl"], en=pair["en"]) for pair in pairs if pair])


def ensure_intake(*, nl, en, courses) -> tuple[int, int]:
    """Creates the missing questions and rules and their translations; returns (made, kept).

    `courses` are the Dutch course pages by their content key ("klik-en-tik")."""
    with INTAKE_FILE.open(encoding="utf-8") as file:
        content = yaml.safe_load(file)
    made = kept = 0
    questions = {}
    for order, (key, spec) in enumerate(content["questions"].items(), start=1):
        question, created = IntakeQuestion.objects.get_or_create(
            locale=nl,
            question=spec["question"]["nl"],
            defaults={"sort_order": order * 10, "explanation": spec["explanation"]["nl"]},
        )
        questions[key] = question
        _english_question, translated = translate_snippet(
            question, _english(spec["question"], spec["explanation"]), en
        )
        made, kept = made + created + translated, kept + (not created) + (not translated)
    for order, spec in enumerate(content["rules"], start=1):
        rule, created = AdviceRule.objects.get_or_create(
            locale=nl,
            sort_order=order * 10,
            defaults={
                "when_no_to": questions[spec["when_no_to"]] if spec["when_no_to"] else None,
                "course": courses[spec["course"]],
                "level": spec["level"],
                "reason": spec["reason"]["nl"],
            },
        )
        _english_rule, translated = translate_snippet(rule, _english(spec["reason"]), en)
        made, kept = made + created + translated, kept + (not created) + (not translated)
    return made, kept
