"""Editors' groups and the moderation workflow on the stories section.

"Redactie" writes, translates and submits; "Eindredactie" approves and publishes. Both are
created with their permissions by `manage.py setup_editorial` (load_demo runs it too);
running it again changes nothing.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

EDITORS = "Redactie"
FINAL_EDITORS = "Eindredactie"
WORKFLOW_NAME = "Verhalen: eindredactie keurt goed"

_PAGE_PERMISSIONS = {
    EDITORS: ["add_page", "change_page", "lock_page"],
    FINAL_EDITORS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
_COLLECTION_PERMISSIONS = [
    "add_image",
    "change_image",
    "choose_image",
    "add_document",
    "change_document",
    "choose_document",
]
_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtail_localize", "submit_translation"),
    ("stories", "add_theme"),
    ("stories", "change_theme"),
    ("booking", "view_organisation"),
]


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_editorial_setup(story_indexes=()):
    """Create the two editor groups, their permissions and the workflow; idempotent."""
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups = {}
    for name, page_permissions in _PAGE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.add(*[_permission(app, code) for app, code in _MODEL_PERMISSIONS])
        for codename in page_permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=_permission("wagtailcore", codename)
            )
        for codename in _COLLECTION_PERMISSIONS:
            app = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=_permission(app, codename)
            )

    task, _created = GroupApprovalTask.objects.get_or_create(name=FINAL_EDITORS)
    task.groups.set([groups[FINAL_EDITORS]])
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    # Every language's story index: a translation goes through the same approval as a new
    # story (the English index may still be an alias; it keeps its id when translated).
    for index in story_indexes:
        for page in index.get_translations(inclusive=True):
            WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return groups, workflow
