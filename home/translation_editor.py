"""wagtail-localize's translation editor, joined to our editorial workflow.

The package's editor only offers "Publish", and only to users who may publish, so a writer
(Redactie) could translate but never finish. Here the editor's form also takes "submit" (save
the translation as a draft revision and start the page's workflow, as the page editor does),
"approve" (for the workflow's reviewers) and our own "publish", which also cancels a workflow
in progress and says which untranslated parts are left and on which tab. The page's slug is
translated with its title: nobody has to find it on the Promote tab. docs/translation.md.
"""

import html

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.coreutils import find_available_slug
from wagtail.models import Page, WorkflowState
from wagtail_localize import models as localize_models
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationLog,
)
from wagtail_localize.views import edit_translation as localize_editor
from wagtail_localize.views.edit_translation import (
    FieldHasNoEditPanelError,
    TabHelper,
    get_segment_location_info,
)

ACTIONS = ("publish", "submit", "approve")

# wagtail-localize writes dates in its editor with strftime("%-d %B %Y"), whose month names are
# always English ("2 December"); a date in numbers reads the same in both admin languages.
localize_models.DATE_FORMAT = localize_editor.DATE_FORMAT = "%Y-%m-%d"


def translation_of(page: Page) -> Translation | None:
    """The enabled translation whose target is `page` (what makes its editor the translation
    editor), found the way wagtail-localize finds it."""
    return Translation.objects.filter(
        source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
    ).first()


def handle_editor_post(request, page: Page):
    """The `before_edit_page` hook: our actions of the translation editor's form.

    Returns a response for a POST with one of ACTIONS on a page being translated, and None for
    everything else, which wagtail-localize's own hook then handles.
    """
    action = request.POST.get("action") if request.method == "POST" else None
    if action not in ACTIONS:
        return None
    translation = translation_of(page)
    if translation is None:
        return None
    page = page.specific
    if action == "publish":
        publish_translation(request, translation, page)
    elif action == "submit":
        submit_translation(request, translation, page)
    else:
        approve_translation(request, page)
    return redirect(request.path)


def editor_workflow(page: Page, user: AbstractBaseUser) -> dict:
    """What the translation editor offers `user` on `page` in its workflow panel.

    Keys: `workflow` (or None), `state` (the active WorkflowState or None), `task` (its current
    task), `can_publish`, `can_submit` (start, or resubmit after changes were requested) and
    `can_approve`. The actions check the same conditions again.
    """
    perms = page.permissions_for_user(user)
    workflow = page.get_workflow()
    state = page.current_workflow_state
    task = state.current_task_state.task.specific if state and state.current_task_state else None
    can_edit = perms.can_edit() and not perms.page_locked()
    needs_changes = state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
    can_submit = can_edit and workflow is not None and (state is None or needs_changes)
    can_approve = (
        state is not None
        and state.status == WorkflowState.STATUS_IN_PROGRESS
        and task is not None
        and "approve" in [name for name, _label, _form in task.get_actions(page, user)]
    )
    return {
        "workflow": workflow,
        "state": state,
        "task": task,
        "needs_changes": needs_changes,
        "can_publish": perms.can_publish(),
        "can_submit": can_submit,
        "can_approve": can_approve,
    }


def publish_translation(request, translation: Translation, page: Page) -> None:
    """Publish the translation now; a workflow in progress on the page is cancelled, as the
    page editor's "Publish" does. Only for users who may publish the page."""
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    translate_slug(translation, request.user)
    try:
        translation.save_target(user=request.user, publish=True)
    except ValidationError:
        messages.error(
            request,
            _("The translation could not be published: the page is not valid. Check the texts."),
        )
        return
    state = page.current_workflow_state
    if state is not None:
        state.cancel(user=request.user)
    page.refresh_from_db()
    missing = missing_parts(translation)
    if missing:
        _warn_missing(
            request,
            translation,
            _("Published “%(title)s” in %(language)s, but these parts are still in %(source)s:")
            % _names(page, translation),
            missing,
        )
    else:
        messages.success(
            request, _("Published “%(title)s” in %(language)s.") % _names(page, translation)
        )


def submit_translation(request, translation: Translation, page: Page) -> None:
    """Save the translation as a draft revision and put it in the page's workflow.

    The live page stays as it is until the workflow's last task approves the revision (which
    publishes it); wagtail-localize's own draft save would write the draft into the live page.
    """
    workflow_panel = editor_workflow(page, request.user)
    if not workflow_panel["can_submit"]:
        raise PermissionDenied
    translate_slug(translation, request.user)
    try:
        with transaction.atomic():
            save_draft_revision(translation, request.user)
            state = workflow_panel["state"]
            if state is not None:
                state.resume(user=request.user)
            else:
                workflow_panel["workflow"].start(page, request.user)
    except ValidationError:
        messages.error(
            request,
            _("The translation could not be submitted: the page is not valid. Check the texts."),
        )
        return
    page.refresh_from_db()
    task = page.current_workflow_task
    names = {**_names(page, translation), "task": task.name if task else ""}
    missing = missing_parts(translation)
    if missing:
        _warn_missing(
            request,
            translation,
            _("Submitted “%(title)s” to %(task)s, but these parts are still in %(source)s:")
            % names,
            missing,
        )
    else:
        messages.success(request, _("Submitted “%(title)s” to %(task)s for approval.") % names)


def approve_translation(request, page: Page) -> None:
    """Approve the current task of the page's workflow; the last task publishes the revision."""
    workflow_panel = editor_workflow(page, request.user)
    if not workflow_panel["can_approve"]:
        raise PermissionDenied
    state = workflow_panel["state"]
    workflow_panel["task"].on_action(state.current_task_state, request.user, "approve")
    page.refresh_from_db()
    title = {"title": page.get_admin_display_title()}
    if page.live and not page.has_unpublished_changes:
        messages.success(request, _("Approved and published “%(title)s”.") % title)
    else:
        messages.success(request, _("Approved “%(title)s”.") % title)


def save_draft_revision(translation: Translation, user) -> None:
    """A new revision of the target page with the current translations, live page untouched."""
    draft = translation.source.get_ephemeral_translated_instance(
        translation.target_locale, fallback=True
    )
    draft.slug = find_available_slug(
        draft.get_parent(), slugify(draft.slug), ignore_page_id=draft.pk
    )
    draft.save_revision(user=user)


def translate_slug(translation: Translation, user=None) -> None:
    """Give the page's slug a translation made from its translated title, if it has none.

    The slug sits on the Promote tab, where translators do not look; without this the English
    page kept its Dutch URL. A slug someone translated is never replaced. Run when the
    translation is published or submitted, not on every save of a string, so tools that write
    all strings at once (PO upload, machine translation) never meet a slug made in between.
    """
    segments = {
        segment.context.path: segment
        for segment in StringSegment.objects.filter(
            source=translation.source, context__path__in=["title", "slug"]
        ).select_related("string", "context")
    }
    if "title" not in segments or "slug" not in segments:
        return
    slug_segment = segments["slug"]
    locale = translation.target_locale
    if StringTranslation.objects.filter(
        translation_of=slug_segment.string, locale=locale, context=slug_segment.context
    ).exists():
        return
    title = StringTranslation.objects.filter(
        translation_of=segments["title"].string,
        locale=locale,
        context=segments["title"].context,
        has_error=False,
    ).first()
    slug = slugify(html.unescape(title.data)) if title else ""
    if slug:
        StringTranslation.objects.create(
            translation_of=slug_segment.string,
            locale=locale,
            context=slug_segment.context,
            data=slug,
            translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
            last_translated_by=user,
        )


def missing_parts(translation: Translation) -> list[dict]:
    """The fields still without a translation, each as {tab, tab_label, field}, in editor order."""
    source_instance = translation.source.get_source_instance()
    tab_helper = TabHelper(source_instance)
    tab_labels = {tab["slug"]: str(tab["label"]) for tab in tab_helper.tabs_with_slugs}
    segments = (
        StringSegment.objects.filter(source=translation.source)
        .annotate_translation(translation.target_locale)
        .filter(translation__isnull=True)
        .select_related("context")
        .order_by("order")
    )
    parts = []
    for segment in segments:
        try:
            location = get_segment_location_info(
                source_instance,
                tab_helper,
                segment.context.path,
                segment.context.get_field_path(source_instance),
            )
        except FieldHasNoEditPanelError:
            continue
        part = {
            "tab": location["tab"],
            "tab_label": tab_labels.get(location["tab"], location["tab"]),
            "field": str(location["field"]),
        }
        if part not in parts:
            parts.append(part)
    return parts


def _names(page, translation):
    return {
        "title": page.get_admin_display_title(),
        "language": translation.target_locale.get_display_name(),
        "source": translation.source.locale.get_display_name(),
    }


def _warn_missing(request, translation, lead, missing):
    listed = "; ".join(f"{part['tab_label']}: {part['field']}" for part in missing)
    buttons = [
        messages.button(
            f"{request.path}#tab-{missing[0]['tab']}",
            _("Show what is missing"),
        )
    ]
    messages.warning(request, f"{lead} {listed}.", buttons=buttons)


def take_unpublished_translation_offline(page_id: int) -> None:
    """A translation that was never published is not live.

    "Translate this page" turns the alias of an untranslated page into the translation and
    saves it as a draft, but the alias was live, so wagtail-localize leaves the page live with
    the Dutch text, now as if it were the English page (in lists, feeds and the sitemap too).
    It goes offline until its translation is published or approved. A page published through
    Wagtail has a live revision; this one has none.
    """
    page = Page.objects.filter(
        pk=page_id, live=True, live_revision__isnull=True, alias_of__isnull=True
    ).first()
    if page is not None:
        page.specific.unpublish(log_action=True)


@receiver(post_save, sender=TranslationLog)
def _translation_saved(sender, instance, created, raw=False, **kwargs):
    revision = instance.revision
    if not created or raw or revision is None or revision.base_content_type_id is None:
        return
    if not issubclass(revision.base_content_type.model_class(), Page):
        return
    page_id = int(revision.object_id)
    # Registered after wagtail-localize's own publish (if any), so it sees the result.
    transaction.on_commit(lambda: take_unpublished_translation_offline(page_id))
