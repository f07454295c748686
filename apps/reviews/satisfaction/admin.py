"""Admin of satisfaction, for looking things up: ratings come from requesters (their link or
the portal), kudos from good ratings and marked replies, shares from the kudos page."""

from django.contrib import admin

from .models import Kudos, KudosShare, Rating


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ["ticket", "score", "agent", "team", "via", "updated_at"]
    list_filter = ["score", "team", "via"]
    search_fields = ["comment", "agent__full_name", "agent__email"]
    list_select_related = ["ticket", "agent", "team"]


@admin.register(Kudos)
class KudosAdmin(ReadOnly):
    list_display = ["ticket", "agent", "team", "source", "created_at"]
    list_filter = ["source", "team"]
    search_fields = ["text", "agent__full_name", "agent__email"]
    list_select_related = ["ticket", "agent", "team"]


@admin.register(KudosShare)
class KudosShareAdmin(ReadOnly):
    list_display = ["sent_by", "sent_at"]
    list_select_related = ["sent_by"]
