"""Admin of case scoring: admins write the questionnaires (questions inline, each question's
answers and points inline on its own page); rounds and cases are drawn and scored on the
scoring pages, so here they are for looking up (and renaming or removing a round)."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.forms import TextInput
from django.utils.html import format_html_join

from .models import (
    CaseAnswer,
    Choice,
    Question,
    Questionnaire,
    ScoredCase,
    ScoreGroup,
    ScoringRound,
)


def _answers(question: Question) -> str:
    if question.group == ScoreGroup.FREE_TEXT:
        return "free text"
    choices = question.choices.all()
    if not choices:
        return "no answers yet: open the question to add them"
    return format_html_join(", ", "{} ({})", ((c.text, f"{c.points:+d}") for c in choices))


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ["order", "text", "group", "help_text", "answers"]
    readonly_fields = ["answers"]
    show_change_link = True  # the question's page holds its answers and points
    formfield_overrides = {models.CharField: {"widget": TextInput(attrs={"size": 48})}}

    @admin.display(description="answers (points)")
    def answers(self, question):
        return _answers(question) if question.pk else "save first, then add answers"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "question_count"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    inlines = [QuestionInline]

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, questionnaire):
        return questionnaire.question_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["order", "text", "points"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "questionnaire", "group", "order", "answers"]
    list_filter = ["questionnaire", "group"]
    search_fields = ["text"]
    list_select_related = ["questionnaire"]
    inlines = [ChoiceInline]

    @admin.display(description="answers (points)")
    def answers(self, question):
        return _answers(question)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")


@admin.register(ScoringRound)
class ScoringRoundAdmin(admin.ModelAdmin):
    """Rounds are drawn on the scoring pages (the sample and its sharing out are the service's);
    here an admin renames or removes one."""

    list_display = ["name", "questionnaire", "period_start", "period_end", "sample_rule",
                    "created_by", "created_at"]  # fmt: skip
    list_filter = ["questionnaire", "sample_rule"]
    search_fields = ["name"]
    list_select_related = ["questionnaire", "created_by"]
    readonly_fields = ["questionnaire", "teams", "period_start", "period_end", "sample_rule",
                       "sample_size", "sample_order", "reviewers", "created_by", "created_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False


class CaseAnswerInline(admin.TabularInline):
    model = CaseAnswer
    fields = ["question", "choice", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScoredCase)
class ScoredCaseAdmin(admin.ModelAdmin):
    list_display = ["ticket", "round", "reviewer", "category", "feature", "product_score",
                    "process_score", "scored_at"]  # fmt: skip
    list_filter = ["round", "category"]
    search_fields = ["feature", "reviewer__email"]
    list_select_related = ["ticket", "round", "reviewer", "category"]
    readonly_fields = [f.name for f in ScoredCase._meta.fields]
    inlines = [CaseAnswerInline]

    def has_add_permission(self, request):
        return False
