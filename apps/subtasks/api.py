"""The subtasks REST API: serializers validate, services decide.

- ``/api/v1/tickets/<ref>/subtasks/`` — list and add subtasks of a ticket (its agents).
- ``/api/v1/subtasks/<id>/`` — read (agents, or the assignee: shared parts only), change, remove.
- ``/api/v1/subtasks/<id>/transition/`` — start, done, won't do (agents or the assignee).
- ``/api/v1/subtasks/<id>/comments/`` — the subtask's thread: read it, write on it (agents or
  the assignee; a message and/or files).
- ``/api/v1/subtasks/mine/`` — the caller's open tasks, as the collaborator page shows them.

Subtasks carry their ``thread`` (messages and files between the assignee and support).

A subtask or ticket the caller may not know about answers 404.
"""

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team, User
from apps.tickets.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from . import selectors, services
from .models import Status, Subtask, SubtaskAttachment, SubtaskKind


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "type": {"type": "string", "enum": ["user", "team"]},
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string"},
        },
    }
)
class AssigneeField(serializers.Field):
    def to_representation(self, subtask):
        if subtask.assignee_user_id:
            u = subtask.assignee_user
            return {"type": "user", "id": u.pk, "name": str(u), "email": u.email}
        if subtask.assignee_team_id:
            return {
                "type": "team",
                "id": subtask.assignee_team_id,
                "name": str(subtask.assignee_team),
            }
        return None


class ThreadEntrySerializer(serializers.Serializer):
    """One message or file on a subtask's thread (between its assignee and support)."""

    id = serializers.IntegerField()
    type = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    from_support = serializers.BooleanField(source="by_support")
    body = serializers.CharField(default="")
    filename = serializers.CharField(default="")
    url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_type(self, entry) -> str:
        return "file" if isinstance(entry, SubtaskAttachment) else "message"

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_author(self, entry) -> dict:
        return {"id": entry.author.pk, "name": str(entry.author)}

    def get_url(self, entry) -> str:
        if not isinstance(entry, SubtaskAttachment):
            return ""
        path = reverse("subtasks:attachment", args=[entry.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


@extend_schema_field(ThreadEntrySerializer(many=True))
class ThreadField(serializers.Field):
    """The subtask's own thread, oldest first (prefetched where a list is read)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, subtask):
        entries = selectors.thread_entries(subtask)
        return ThreadEntrySerializer(entries, many=True, context=self.context).data


class SubtaskSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    ticket_subject = serializers.CharField(source="ticket.subject", read_only=True)
    thread = ThreadField()
    kind = serializers.CharField(source="kind.name", read_only=True)
    assignee = AssigneeField(source="*", read_only=True)
    depends_on = serializers.SerializerMethodField()
    shared_comments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Subtask
        fields = [
            "id",
            "ticket",
            "ticket_subject",
            "title",
            "kind",
            "kind_id",
            "instructions",
            "assignee",
            "due_date",
            "blocking",
            "depends_on",
            "status",
            "result_note",
            "share_description",
            "shared_comments",
            "created_at",
            "completed_at",
            "thread",
        ]

    def get_depends_on(self, obj) -> list[int]:
        return [d.pk for d in obj.depends_on.all()]


class SubtaskWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.PrimaryKeyRelatedField(queryset=SubtaskKind.objects.filter(is_active=True))
    instructions = serializers.CharField(required=False, allow_blank=True)
    assignee_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    assignee_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    assignee_email = serializers.EmailField(required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    blocking = serializers.BooleanField(required=False, default=True)
    depends_on = serializers.ListField(child=serializers.IntegerField(), required=False)
    share_description = serializers.BooleanField(required=False, default=True)
    shared_comments = serializers.ListField(
        child=serializers.IntegerField(), required=False, source="shared_comment_ids"
    )

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def validate_depends_on(self, ids):
        found = {s.pk: s for s in Subtask.objects.filter(ticket=self.ticket, pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise serializers.ValidationError(f"No subtask {missing[0]} on this ticket.")
        return [found[pk] for pk in ids]


class TransitionSerializer(serializers.Serializer):
    # The same choice set as a subtask's status (one enum in the schema); the service refuses
    # "open" with a message saying so.
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SharedCommentSerializer(serializers.Serializer):
    author = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    internal = serializers.BooleanField(source="is_internal")


class CollaboratorTaskSerializer(serializers.ModelSerializer):
    """What the assignee sees: the task and only the parts of the ticket shared with them."""

    kind = serializers.CharField(source="kind.name")
    ticket = serializers.SerializerMethodField()
    shared_comments = SharedCommentSerializer(many=True)
    ticket_status = serializers.CharField(
        source="ticket.status", help_text="Resolved or closed: the ticket needs nothing more."
    )
    thread = ThreadField()

    class Meta:
        model = Subtask
        fields = [
            "id",
            "title",
            "kind",
            "instructions",
            "due_date",
            "status",
            "result_note",
            "ticket",
            "ticket_status",
            "shared_comments",
            "thread",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "reference": {"type": "string"},
                "subject": {"type": "string"},
                "description": {"type": "string"},
            },
        }
    )
    def get_ticket(self, obj) -> dict:
        shared = {"reference": obj.ticket.reference, "subject": obj.ticket.subject}
        if obj.share_description:
            shared["description"] = obj.ticket.description
        return shared


def _agent_ticket(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    return ticket


class TicketSubtaskList(generics.ListCreateAPIView):
    serializer_class = SubtaskSerializer
    ordering_fields = ["created_at", "due_date", "status", "id"]  # default: the selector's

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subtask.objects.none()
        ticket = _agent_ticket(self.request, self.kwargs["reference"])
        return selectors.subtask_list_for_ticket(ticket=ticket)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=SubtaskWriteSerializer,
        responses={201: SubtaskSerializer},
    )
    @idempotent
    def post(self, request, reference):
        ticket = _agent_ticket(request, reference)
        data = SubtaskWriteSerializer(data=request.data, ticket=ticket)
        data.is_valid(raise_exception=True)
        subtask = services.subtask_create(ticket=ticket, actor=request.user, **data.validated_data)
        return Response(SubtaskSerializer(subtask).data, status=status.HTTP_201_CREATED)


class SubtaskDetail(APIView):
    serializer_class = SubtaskSerializer

    @extend_schema(responses=SubtaskSerializer)
    def get(self, request, pk):
        subtask, agent = selectors.subtask_get_for_reader(user=request.user, pk=pk)
        if agent:
            return Response(SubtaskSerializer(subtask).data)
        return Response(CollaboratorTaskSerializer(subtask).data)

    @extend_schema(request=SubtaskWriteSerializer, responses=SubtaskSerializer)
    def patch(self, request, pk):
        subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
        data = SubtaskWriteSerializer(data=request.data, ticket=subtask.ticket, partial=True)
        data.is_valid(raise_exception=True)
        # partial=True: only the fields sent are validated, and no defaults are filled in.
        subtask = services.subtask_update(
            subtask=subtask, actor=request.user, data=dict(data.validated_data)
        )
        return Response(SubtaskSerializer(subtask).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
        services.subtask_delete(subtask=subtask, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubtaskTransition(APIView):
    serializer_class = TransitionSerializer

    @extend_schema(request=TransitionSerializer, responses=SubtaskSerializer)
    def post(self, request, pk):
        subtask = selectors.subtask_get_for_reader(user=request.user, pk=pk)[0]
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.subtask_transition(
            subtask=subtask, actor=request.user, **data.validated_data
        )
        subtask.refresh_from_db()
        return Response({"changed": changed, "status": subtask.status})


class MyTasks(generics.ListAPIView):
    serializer_class = CollaboratorTaskSerializer
    ordering_fields = ["due_date", "created_at", "id"]  # default: the selector's, soonest due

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subtask.objects.none()
        return selectors.subtask_list_for_assignee(user=self.request.user).prefetch_related(
            "shared_comments__author", *selectors.THREAD_PREFETCH
        )


class SubtaskMessageSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="")
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        default=list,
        help_text="Files (multipart/form-data, repeat the field).",
    )


class SubtaskComments(APIView):
    """The subtask's own thread: its agents and its assignee read it and write on it. The
    assignee's message reaches support; support's answer reaches the assignee by e-mail."""

    # The default parsers: bounded JSON, and multipart for files.
    serializer_class = ThreadEntrySerializer

    @extend_schema(responses=ThreadEntrySerializer(many=True))
    def get(self, request, pk):
        subtask = selectors.subtask_get_for_reader(user=request.user, pk=pk)[0]
        entries = selectors.thread_of(subtask=subtask)
        return Response(
            ThreadEntrySerializer(entries, many=True, context={"request": request}).data
        )

    @extend_schema(
        request={
            "application/json": SubtaskMessageSerializer,
            "multipart/form-data": SubtaskMessageSerializer,
        },
        responses={201: ThreadEntrySerializer(many=True)},
    )
    def post(self, request, pk):
        subtask = selectors.subtask_get_for_reader(user=request.user, pk=pk)[0]
        data = SubtaskMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = {(type(e), e.pk) for e in selectors.thread_of(subtask=subtask)}
        services.subtask_comment_add(
            subtask=subtask,
            author=request.user,
            body=data.validated_data["body"],
            files=data.validated_data["files"],
        )
        added = [e for e in selectors.thread_of(subtask=subtask) if (type(e), e.pk) not in before]
        body = ThreadEntrySerializer(added, many=True, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


app_name = "subtasks-api"
urlpatterns = [
    path("tickets/<str:reference>/subtasks/", TicketSubtaskList.as_view(), name="ticket-subtasks"),
    path("subtasks/mine/", MyTasks.as_view(), name="mine"),
    path("subtasks/<int:pk>/", SubtaskDetail.as_view(), name="detail"),
    path("subtasks/<int:pk>/transition/", SubtaskTransition.as_view(), name="transition"),
    path("subtasks/<int:pk>/comments/", SubtaskComments.as_view(), name="comments"),
]
