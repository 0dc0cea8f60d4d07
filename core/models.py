from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from wagtail.models import Locale, Page


class SearchDocument(models.Model):
    """What the public site shows of one page in lists and search: a live, public page written
    in its own language (never an alias), with the fields a result or card needs.

    Kept in step with the pages by core/search.py (on save, publish, unpublish and changes of
    view restrictions), so site search and the stories index read this one narrow table, sorted
    and matched by its indexes, and never load a page's body to show a list.
    """

    page = models.OneToOneField(
        Page, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    locale = models.ForeignKey(Locale, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    # The date a story is about; lists of stories sort on it, newest first.
    date = models.DateField(null=True, blank=True)
    # Stemmed words (" word word "), matched with LIKE where the database has no full-text
    # search of its own (SQLite): those of the title, of the summary and keywords, and all of
    # them. Empty on PostgreSQL, which matches `vector`.
    title_terms = models.TextField(blank=True)
    key_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    # PostgreSQL: the page's words stemmed in its language's text search configuration,
    # weighted A (title), B (summary, themes, places, organisations) and C (the rest).
    vector = SearchVectorField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["locale", "content_type", "-date", "-page"], name="search_doc_listing"
            )
        ]

    def __str__(self):
        return self.title


class WorkerHeartbeat(models.Model):
    """A task worker (`manage.py run_worker`) that is alive: it writes `seen_at` every few
    seconds and deletes its row when it stops. A task left RUNNING by a worker whose row is
    older than WORKER_DEAD_SECONDS, or gone, is put back in the queue (core/worker.py)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} ({self.host}:{self.pid})"


class SentMail(models.Model):
    """A mail that was delivered by a task run (core/mail.py), so that running the task again
    after its worker was killed does not send it twice. Only a hash and the time: nothing about
    the message or its recipients can be read back from it."""

    key = models.CharField(max_length=64, primary_key=True)
    sent_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.key
