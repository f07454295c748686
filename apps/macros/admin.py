from django.contrib import admin

from .models import Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Team and global macros are made here; agents keep their personal ones on their page."""

    list_display = ["name", "scope", "team", "owner", "internal", "set_status", "set_priority"]
    list_filter = ["scope", "team", "internal", "is_active"]
    search_fields = ["name", "body"]
    autocomplete_fields = ["owner"]
    list_select_related = ["team", "owner"]
    fieldsets = [
        (None, {"fields": ["name", "body", "internal", "is_active"]}),
        ("Who may use it", {"fields": ["scope", "team", "owner"]}),
        ("Sent with it", {"fields": ["set_status", "set_priority", "add_tags"]}),
    ]
