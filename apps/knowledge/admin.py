from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple

from .models import (
    Article,
    ArticleStatus,
    Audience,
    Deflection,
    Feedback,
    Revision,
    SearchLog,
    Section,
    SynonymGroup,
)
from .permissions import can_publish, can_publish_article
from .selectors import article_queryset_for
from .services import article_related_set, article_save_from_admin
from .synonyms import synonym_terms

# Who may read a draft and whether it is published: read-only here for whoever may not
# publish the article (published ones they cannot change here at all).
AUDIENCE_FIELDS = ["audience", "team", "status"]
PUBLIC_STATUSES = (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["number", "status", "author", "note", "created_at", "reviewed_by", "review_note"]
    readonly_fields = fields


class ArticleAdminForm(forms.ModelForm):
    # The relation has a model of its own (so the database refuses an article related to
    # itself), which a model form leaves out: offered here, every article but this one.
    related = forms.ModelMultipleChoiceField(
        Article.objects.all(),
        required=False,
        widget=FilteredSelectMultiple("related articles", is_stacked=False),
    )

    user = None  # set by ArticleAdmin.get_form: only articles this person may see are offered

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        visible = article_queryset_for(self.user) if self.user else Article.objects.none()
        if self.instance.pk:
            visible = visible.exclude(pk=self.instance.pk)
            self.initial.setdefault(
                "related", list(self.instance.related.filter(pk__in=visible.values("pk")))
            )
        self.fields["related"].queryset = visible

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
    filter_horizontal = ["tags", "categories"]
    raw_id_fields = ["source_ticket"]
    readonly_fields = ["view_count", "author", "created_at", "updated_at", "published_at"]
    inlines = [RevisionInline]

    def get_queryset(self, request):
        # Another team's one-team article is not listed, and its page answers "not found".
        return super().get_queryset(request).filter(pk__in=article_queryset_for(request.user))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not can_publish_article(request.user, obj):
            # A draft's text stays editable; who reads it and whether it is published do not.
            fields += AUDIENCE_FIELDS
        elif obj is None and not can_publish(request.user):
            fields.append("status")
        return fields

    def has_change_permission(self, request, obj=None):
        # A published (or archived) article is changed here only by those who may publish it;
        # anyone else proposes changes in the editor, where a lead approves them.
        if (
            obj is not None
            and obj.status in PUBLIC_STATUSES
            and not can_publish_article(request.user, obj)
        ):
            return False
        return super().has_change_permission(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        article_save_from_admin(article=obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article_related_set(article=form.instance, related=form.cleaned_data["related"])


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


class SynonymGroupForm(forms.ModelForm):
    class Meta:
        model = SynonymGroup
        fields = ["terms", "note"]
        widgets = {"terms": forms.Textarea(attrs={"rows": 3})}

    def clean_terms(self):
        terms = synonym_terms(self.cleaned_data["terms"])
        if len(terms) < 2:
            raise forms.ValidationError("Give at least two different terms, separated by commas.")
        return ", ".join(terms)


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    form = SynonymGroupForm
    list_display = ["terms", "note"]
    search_fields = ["terms", "note"]
