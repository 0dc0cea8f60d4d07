"""`{% editor_workflow page user as workflow %}`: what the translation editor's approval panel
offers (home/translation_editor.py)."""

from django import template

from home.translation_editor import editor_workflow as _editor_workflow

register = template.Library()


@register.simple_tag
def editor_workflow(page, user):
    return _editor_workflow(page.specific, user)
