"""Forms of the help centre and the article editor: they parse input, services decide."""

from django import forms

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.tickets.models import Category

from .models import Article, ArticleStatus, Audience, Revision, Section


class ServiceErrorMixin:
    def add_service_error(self, error: ApplicationError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class ArticleForm(ServiceErrorMixin, forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(
        max_length=300, required=False, help_text="One or two sentences shown in search results."
    )
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}),
        required=False,
        help_text="Markdown: **bold**, `code`, lists, tables, ![image](link).",
    )
    section = forms.ModelChoiceField(Section.objects.all(), required=False)
    audience = forms.ChoiceField(choices=Audience.choices)
    team = forms.ModelChoiceField(Team.objects.all(), required=False, help_text="For “one team”.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    categories = forms.ModelMultipleChoiceField(
        Category.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Offered when a requester picks one of these problems.",
    )
    related = forms.ModelMultipleChoiceField(
        Article.objects.exclude(status=ArticleStatus.ARCHIVED).only("title"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(
        max_length=200, required=False, label="What changed", help_text="Kept with the revision."
    )

    def __init__(self, *args, user, article: Article | None = None, **kwargs):
        from .selectors import article_queryset_for

        super().__init__(*args, **kwargs)
        # Only articles and teams this person may see are offered (nobody learns the titles of
        # another team's articles from the list); an article is not related to itself.
        related = self.fields["related"].queryset.filter(pk__in=article_queryset_for(user))
        if article is not None:
            related = related.exclude(pk=article.pk)
        self.fields["related"].queryset = related
        if not user.is_superuser:
            self.fields["team"].queryset = Team.objects.filter(pk__in=user.team_ids)

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    @staticmethod
    def initial_for(article: Article, *, user, pending: Revision | None = None) -> dict:
        """The article as the form shows it; with ``pending``, the person's own change that
        awaits approval (so they amend it rather than start again from the published text)."""
        from .selectors import article_queryset_for

        related = article.related.filter(pk__in=article_queryset_for(user))
        initial = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "section": article.section_id,
            "audience": article.audience,
            "team": article.team_id,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "categories": list(article.categories.values_list("pk", flat=True)),
            "related": list(related.values_list("pk", flat=True)),
        }
        if pending is not None:
            proposed = pending.proposed
            initial.update(
                title=pending.title,
                summary=pending.summary,
                body=pending.body,
                audience=pending.audience,
                team=pending.team_id,
                note=pending.note,
            )
            if "section" in proposed:
                initial["section"] = proposed["section"]
            if "tags" in proposed:
                initial["tags"] = ", ".join(proposed["tags"])
            for name in ("categories", "related"):
                if name in proposed:
                    initial[name] = proposed[name]
        return initial

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("note", None)
        data["categories"] = [c.pk for c in data["categories"]]
        data["related"] = [a.pk for a in data["related"]]
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why not", help_text="The author reads this beside their change."
    )


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes"
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FileForm(forms.Form):
    file = forms.FileField()
