"""Shapes of the knowledge API: serializers validate input; services do the work."""

from rest_framework import serializers

from ..models import Article, ArticleFile, Audience, Revision


class ArticleSerializer(serializers.ModelSerializer):
    section = serializers.CharField(
        source="section.name", default=None, read_only=True, allow_null=True
    )
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    url = serializers.SerializerMethodField()
    # Plain strings: a second "status" enum would collide with the tickets' in the schema.
    status = serializers.CharField(read_only=True, help_text="draft, review, published, archived")

    class Meta:
        model = Article
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "body",
            "body_html",
            "section",
            "tags",
            "audience",
            "status",
            "url",
            "view_count",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, article) -> str:
        from ..services import article_url

        return article_url(article)


class ArticleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True)
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    section = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    categories = serializers.ListField(child=serializers.IntegerField(), required=False)
    related = serializers.ListField(child=serializers.IntegerField(), required=False)
    status = serializers.CharField(
        required=False, help_text="draft, review, published or archived (the last two: leads)"
    )


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", default=None, allow_null=True)
    reviewed_by = serializers.CharField(
        source="reviewed_by.get_full_name", default=None, allow_null=True
    )
    article = serializers.IntegerField(source="article_id")
    # A plain string, like the article's: "applied", "pending", "approved", "rejected".
    status = serializers.CharField(help_text="applied, pending, approved or rejected")
    audience = serializers.CharField()

    class Meta:
        model = Revision
        fields = [
            "article",
            "number",
            "status",
            "title",
            "summary",
            "body",
            "audience",
            "team",
            "proposed",
            "author",
            "note",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class PendingChangeSerializer(serializers.Serializer):
    detail = serializers.CharField()
    revision = RevisionSerializer()
    article = ArticleSerializer()


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ArticleFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ArticleFile
        fields = ["id", "filename", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, file) -> str:
        from django.conf import settings
        from django.urls import reverse

        return settings.SITE_URL + reverse("kb:file", args=[file.pk])


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article.pk")
    slug = serializers.CharField(source="article.slug")
    title = serializers.CharField(source="article.title")
    summary = serializers.CharField(source="article.summary")
    snippet = serializers.CharField(help_text="HTML: escaped text with <mark> around matches.")
    rank = serializers.FloatField()


class FeedbackSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
