"""Clear the anonymous page cache whenever something visitors see has changed."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from booking.models import Organisation
from core.cache import clear_page_cache
from stories.models import Theme

from .models import SiteSettings

for signal in (page_published, page_unpublished, post_page_move):
    signal.connect(clear_page_cache, dispatch_uid=f"clear_page_cache_{id(signal)}")

for model in (SiteSettings, Theme, Organisation):
    post_save.connect(clear_page_cache, sender=model, dispatch_uid=f"clear_cache_save_{model}")
for model in (SiteSettings, Theme, Organisation, Page):
    post_delete.connect(clear_page_cache, sender=model, dispatch_uid=f"clear_cache_del_{model}")
