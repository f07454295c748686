"""Shapes of the tickets API: input serializers check types only, services decide the rest."""

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Team, User
from apps.core.text import validate_single_line

from .. import extensions
from ..events import payload_type
from ..models import (
    Attachment,
    Category,
    Comment,
    Impact,
    Location,
    Priority,
    Product,
    Resolution,
    Status,
    Ticket,
    TicketEvent,
    Urgency,
)
from ..permissions import can_work

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


# A list of tickets draws six of these per row: as plain fields, not nested serializers (whose
# per-row field walk was a third of the list's serialising), with the same schema.
@extend_schema_field(LookupSerializer)
class LookupField(serializers.Field):
    """A lookup (category, location, product, team) as ``{id, name}``."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return {"id": value.pk, "name": value.name}


@extend_schema_field(PersonSerializer)
class PersonField(LookupField):
    """A person as ``{id, name}``."""

    def to_representation(self, value):
        return {"id": value.pk, "name": value.get_full_name()}


@extend_schema_field(RequesterSerializer)
class RequesterField(LookupField):
    """The requester as ``{id, name, email}``."""

    def to_representation(self, value):
        return {"id": value.pk, "name": value.get_full_name(), "email": value.email}


def custom_fields_of(ticket) -> dict[str, str]:
    """The ticket's custom answers by key (prefetched with their fields by the views)."""
    return {value.field.key: value.value for value in ticket.field_values.all()}


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as the agents working it see it. Anyone else allowed to read it (its requester)
    gets ``PortalTicketSerializer``'s fields instead."""

    reference = serializers.CharField(
        read_only=True, help_text="The tracking number, e.g. SB-10432."
    )
    requester = RequesterField()
    assignee = PersonField(allow_null=True)
    category = LookupField(allow_null=True)
    location = LookupField(allow_null=True)
    product = LookupField(allow_null=True)
    team = LookupField(allow_null=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    custom_fields = serializers.SerializerMethodField(
        help_text="Answers to the desk's custom fields, by key (e.g. order_id)."
    )

    def get_custom_fields(self, ticket) -> dict[str, str]:
        return custom_fields_of(ticket)

    resolution = serializers.ChoiceField(
        choices=Resolution.choices,
        allow_blank=True,
        read_only=True,
        help_text="How it was solved; empty while it is not resolved (or was not said).",
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "status",
            "priority",
            "impact",
            "urgency",
            "channel",
            "requester",
            "category",
            "location",
            "product",
            "team",
            "tier",
            "assignee",
            "tags",
            "custom_fields",
            "created_at",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "resolution",
        ]
        read_only_fields = fields

    def to_representation(self, ticket):
        # Whoever may not work the ticket (its requester) reads what the portal shows, never
        # the desk's fields: one rule for every endpoint that answers with a ticket.
        request = self.context.get("request")
        if (
            request is not None
            and not self.context.get("worked")
            and not can_work(request.user, ticket)
        ):
            return PortalTicketSerializer(ticket, context=self.context).data
        return super().to_representation(ticket)


class PortalTicketSerializer(serializers.ModelSerializer):
    """A ticket as its requester sees it in the portal: no assignee, tier, team, tags or
    priority, and only the public part of the thread."""

    reference = serializers.CharField(read_only=True)
    category = LookupField(allow_null=True)
    location = LookupField(allow_null=True)
    product = LookupField(allow_null=True)
    comments = serializers.SerializerMethodField(help_text="Public replies, oldest first.")
    custom_fields = serializers.SerializerMethodField(help_text="Your answers, by field key.")

    def get_custom_fields(self, ticket) -> dict[str, str]:
        return custom_fields_of(ticket)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "status",
            "impact",
            "urgency",
            "category",
            "location",
            "product",
            "custom_fields",
            "created_at",
            "updated_at",
            "comments",
        ]
        read_only_fields = fields

    def get_comments(self, ticket) -> list[dict]:
        comments = getattr(ticket, "public_comments", None)
        if comments is None:
            comments = (
                ticket.comments.filter(is_internal=False)
                .select_related("author")
                .prefetch_related("attachments")
                .order_by("created_at", "id")
            )
        return PortalCommentSerializer(comments, many=True, context=self.context).data


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
    author = PersonField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_internal", "channel", "created_at", "attachments"]
        read_only_fields = fields


class PortalCommentSerializer(CommentSerializer):
    class Meta(CommentSerializer.Meta):
        fields = ["id", "author", "body", "created_at", "attachments"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    """One entry of the history, as the agent's ticket page shows it."""

    actor = PersonField(allow_null=True)
    sentence = serializers.SerializerMethodField(help_text="What happened, in words.")
    recipients = serializers.SerializerMethodField(help_text="Whom a notification went to.")

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "sentence", "actor", "changes", "data", "recipients", "created_at"]
        read_only_fields = fields

    def get_sentence(self, event) -> str:
        declared = payload_type(event.kind)
        return declared.sentence if declared else event.kind.replace("_", " ")

    def get_recipients(self, event) -> list[str]:
        return list(getattr(event, "recipients", []))


# --- writing ------------------------------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, validators=[validate_single_line])
    description = serializers.CharField()
    category = serializers.IntegerField(required=False, allow_null=True, help_text="Category id.")
    location = serializers.IntegerField(required=False, allow_null=True, help_text="Location id.")
    product = serializers.IntegerField(required=False, allow_null=True, help_text="Product id.")
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        default=Priority.NORMAL,
        help_text="Agents only: a requester sending it is refused (400), as support sets it.",
    )
    custom_fields = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=200),
        required=False,
        help_text="Answers to the custom fields asked for the category, by key "
        '(e.g. {"order_id": "A-1042"}).',
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices,
        required=False,
        allow_null=True,
        help_text="Are you blocked? With impact, sets the priority by the desk's matrix.",
    )
    impact = serializers.ChoiceField(
        choices=Impact.choices,
        required=False,
        allow_null=True,
        help_text="Who is affected? With urgency, sets the priority by the desk's matrix.",
    )


class TicketUpdateSerializer(serializers.Serializer):
    """Every field is optional: only those sent are changed (through ticket_update)."""

    subject = serializers.CharField(
        max_length=200, required=False, validators=[validate_single_line]
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    category = serializers.IntegerField(required=False, allow_null=True)
    location = serializers.IntegerField(required=False, allow_null=True)
    product = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, help_text="Team id: moves it to that queue.")
    # No ``tier``: it moves only by …/escalate/ and …/hand-back/ (sending it is a 400).
    assignee = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="User id of an agent of the ticket's team (or its holder), or null to unassign.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, help_text="Replaces the tags."
    )
    resolution = serializers.ChoiceField(
        choices=Resolution.choices,
        required=False,
        allow_blank=True,
        help_text="How it was solved (leads count tickets closed by sharing information).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What feature apps ask when a ticket is resolved or closed (e.g. "open_subtasks"):
        # required then, and refused naming the field when missing.
        for question in extensions.resolve_questions():
            self.fields[question.name] = serializers.ChoiceField(
                choices=question.choices,
                required=False,
                help_text=f"{question.label} Asked when resolving or closing, if it applies.",
            )
            if question.note_name:
                self.fields[question.note_name] = serializers.CharField(
                    required=False, allow_blank=True, help_text=question.note_label
                )


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
    is_internal = serializers.BooleanField(
        default=False, help_text="An internal note, never shown to the requester (agents only)."
    )
    time_spent = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text='Agents: how long it took, e.g. "25m", "1h30" or minutes (priced at the '
        "ticket's team's hourly cost).",
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
