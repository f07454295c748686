"""Forms of the help centre and the article editor: they parse input, services decide."""

from django import forms

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.tickets.models import Category

from .models import Article, ArticleStatus, Audience, Section


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

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    @staticmethod
    def initial_for(article: Article) -> dict:
        return {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "section": article.section_id,
            "audience": article.audience,
            "team": article.team_id,
            "tags": ", ".join(t.name for t in article.tags.all()),
            "categories": list(article.categories.values_list("pk", flat=True)),
            "related": list(article.related.values_list("pk", flat=True)),
        }

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("note", None)
        data["categories"] = [c.pk for c in data["categories"]]
        data["related"] = [a.pk for a in data["related"]]
        return data


class FeedbackForm(forms.Form):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes"
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FileForm(forms.Form):
    file = forms.FileField()
