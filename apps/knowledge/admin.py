from django import forms
from django.contrib import admin

from .models import Article, Audience, Deflection, Feedback, Revision, SearchLog, Section
from .services import article_save_from_admin


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["number", "author", "note", "created_at"]
    readonly_fields = fields


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "section",
            "tags",
            "categories",
            "related",
            "audience",
            "team",
            "status",
            "source_ticket",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == Audience.TEAM and not cleaned.get("team"):
            self.add_error("team", "Choose the team that may read this article.")
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "section", "audience", "status", "view_count", "updated_at"]
    list_filter = ["status", "audience", "section"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags", "categories", "related"]
    raw_id_fields = ["source_ticket"]
    readonly_fields = ["view_count", "author", "created_at", "updated_at", "published_at"]
    inlines = [RevisionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        article_save_from_admin(article=obj, actor=request.user)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["article", "helpful", "comment", "created_at"]
    list_filter = ["helpful"]
    raw_id_fields = ["article", "user"]


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ["article", "kind", "query", "user", "created_at", "cancelled_at"]
    list_filter = ["kind"]
    raw_id_fields = ["article", "user", "cancelled_by"]


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    list_display = ["query", "results", "source", "created_at"]
    list_filter = ["source"]
