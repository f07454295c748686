"""Admin of the mentor review, for looking things up: pairings are made on the pairings page
(its service checks the team, the number of techs and one sponsor per tech), and entries are
written by techs and sponsors on their week pages."""

from django.contrib import admin

from .models import Pairing, ReviewEntry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Pairing)
class PairingAdmin(ReadOnly):
    list_display = ["sponsor", "team", "tech_names", "is_active", "created_at"]
    list_filter = ["team", "is_active"]
    search_fields = ["sponsor__full_name", "sponsor__email", "techs__full_name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("team", "sponsor")
            .prefetch_related("techs")
        )

    @admin.display(description="techs")
    def tech_names(self, pairing: Pairing) -> str:
        return ", ".join(str(tech) for tech in pairing.techs.all())


@admin.register(ReviewEntry)
class ReviewEntryAdmin(ReadOnly):
    list_display = ["week", "tech", "ticket", "summary", "passed_on", "suggest_article"]
    list_filter = ["week", "passed_on", "suggest_article"]
    list_select_related = ["tech", "ticket"]
    raw_id_fields = ["ticket"]
