from wagtail import hooks

from .translation_editor import handle_editor_post


@hooks.register("before_edit_page", order=-10)
def translation_editor_actions(request, page):
    """Runs before wagtail-localize's hook, which shows its editor for the rest."""
    return handle_editor_post(request, page)
