from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from wagtail import hooks
from wagtail.models import ReferenceIndex

from .translation_editor import handle_editor_post


@hooks.register("before_edit_page", order=-10)
def translation_editor_actions(request, page):
    """Runs before wagtail-localize's hook, which shows its editor for the rest."""
    return handle_editor_post(request, page)


@hooks.register("before_move_page")
def refuse_moves_beyond_permissions(request, page, destination):
    """Wagtail's move confirmation asks for no permission until the move is posted, and shows
    the page's title to anyone in the admin; ask the same question its move screen asks."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied


@receiver(post_delete, dispatch_uid="leerplein_forget_reference_index_tasks")
def forget_reference_index_tasks_of_deleted_rows(sender, instance, **kwargs):
    """Wagtail queues a reference-index update on every save of a tracked model, also of a
    page's inline rows (a home page's featured stories), and that task fails in the worker if
    the row is gone by then: copying a page for translation and publishing it replace those
    rows within seconds. Wagtail already removed the deleted row from the index, so its
    waiting update has nothing left to do; drop it once the deletion is committed (the
    update itself is queued at commit too)."""
    if sender not in ReferenceIndex.tracked_models or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    args = [sender._meta.app_label, sender._meta.model_name, str(instance.pk)]
    transaction.on_commit(
        lambda: DBTaskResult.objects.filter(
            status="READY",
            task_path="wagtail.tasks.update_reference_index_task",
            args_kwargs={"args": args, "kwargs": {}},
        ).delete()
    )
