"""Imported by ``apps.tickets.models`` so the model belongs to the tickets app (label "tickets")."""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = ["SavedView"]


class SavedView(models.Model):
    """A named query string of the agent queue, kept to the queue's own parameters."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_once_per_user")
        ]

    def __str__(self) -> str:
        return self.name
