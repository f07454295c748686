from django.contrib import admin

from .models import CustomField


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "kind", "required", "is_active", "order"]
    list_filter = ["kind", "is_active", "categories"]
    list_editable = ["order", "is_active"]
    filter_horizontal = ["categories"]
    search_fields = ["label", "key"]
    fieldsets = [
        (None, {"fields": ["label", "key", "kind", "choices", "help_text"]}),
        ("Where it is asked", {"fields": ["categories", "required", "order", "is_active"]}),
    ]
