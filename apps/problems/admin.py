from django.contrib import admin

from .models import Problem, ProblemLink, Why


class WhyInline(admin.TabularInline):
    model = Why
    extra = 0
    max_num = 5


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "team", "status", "fix_planned_for", "is_public"]
    list_filter = ["status", "team", "is_public"]
    list_select_related = ["team"]
    search_fields = ["title", "root_cause"]
    inlines = [WhyInline]
    readonly_fields = ["created_by", "created_at", "updated_at", "fixed_at"]


@admin.register(ProblemLink)
class ProblemLinkAdmin(admin.ModelAdmin):
    list_display = ["ticket", "problem", "linked_by", "linked_at"]
    list_select_related = ["ticket", "problem", "linked_by"]
    raw_id_fields = ["ticket", "problem"]
    readonly_fields = ["linked_by", "linked_at"]
