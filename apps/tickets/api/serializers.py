"""Shapes of the tickets API: input serializers check types only, services decide the rest."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Team, Tier, User

from ..models import Attachment, Category, Comment, Location, Priority, Product, Status, Ticket

# --- reading ------------------------------------------------------------------------------


class LookupSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "description"]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "is_triage"]


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


class RequesterSerializer(PersonSerializer):
    class Meta(PersonSerializer.Meta):
        fields = ["id", "name", "email"]


class TicketSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(
        read_only=True, help_text="The tracking number, e.g. SB-10432."
    )
    requester = RequesterSerializer(read_only=True)
    assignee = PersonSerializer(read_only=True, allow_null=True)
    category = LookupSerializer(read_only=True, allow_null=True)
    location = LookupSerializer(read_only=True, allow_null=True)
    product = LookupSerializer(read_only=True, allow_null=True)
    team = LookupSerializer(read_only=True, allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "status",
            "priority",
            "channel",
            "requester",
            "category",
            "location",
            "product",
            "team",
            "tier",
            "assignee",
            "tags",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields


def attachment_path(pk: int) -> str:
    """The web view serves the file after checking who asks; resolved when first needed."""
    try:
        return reverse("files:attachment", args=[pk])
    except NoReverseMatch:
        return f"/files/{pk}/"


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Where to download the file (signed in).")
    comment = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "comment", "created_at", "url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment) -> str:
        path = attachment_path(attachment.pk)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_internal", "channel", "created_at", "attachments"]
        read_only_fields = fields


# --- writing ------------------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField()
    category = serializers.IntegerField(required=False, allow_null=True, help_text="Category id.")
    location = serializers.IntegerField(required=False, allow_null=True, help_text="Location id.")
    product = serializers.IntegerField(required=False, allow_null=True, help_text="Product id.")
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)


class TicketUpdateSerializer(serializers.Serializer):
    """Every field is optional: only those sent are changed (through ticket_update)."""

    subject = serializers.CharField(max_length=200, required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.IntegerField(required=False, allow_null=True)
    location = serializers.IntegerField(required=False, allow_null=True)
    product = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, help_text="Team id: moves it to that queue.")
    tier = serializers.ChoiceField(choices=Tier.choices, required=False)
    assignee = serializers.IntegerField(
        required=False, allow_null=True, help_text="User id of an agent, or null to unassign."
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, help_text="Replaces the tags."
    )


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
    is_internal = serializers.BooleanField(
        default=False, help_text="An internal note, never shown to the requester (agents only)."
    )


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more files (multipart/form-data, repeat the field).",
    )


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text='Send as "Authorization: Token <token>".'
    )
