"""The subtasks REST API: serializers validate, services decide.

- ``/api/v1/tickets/<ref>/subtasks/`` — list and add subtasks of a ticket (its agents).
- ``/api/v1/subtasks/<id>/`` — read (agents, or the assignee: shared parts only), change, remove.
- ``/api/v1/subtasks/<id>/transition/`` — start, done, won't do (agents or the assignee).
- ``/api/v1/subtasks/mine/`` — the caller's open tasks, as the collaborator page shows them.

A subtask or ticket the caller may not know about answers 404.
"""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team, User
from apps.tickets.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from . import selectors, services
from .models import Status, Subtask, SubtaskKind


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


class SubtaskSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True)
    kind = serializers.CharField(source="kind.name", read_only=True)
    assignee = AssigneeField(source="*", read_only=True)
    depends_on = serializers.SerializerMethodField()
    shared_comments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Subtask
        fields = [
            "id",
            "ticket",
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
            "shared_comments",
        ]

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

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Subtask.objects.none()
        return selectors.subtask_list_for_assignee(user=self.request.user).prefetch_related(
            "shared_comments__author"
        )


app_name = "subtasks-api"
urlpatterns = [
    path("tickets/<str:reference>/subtasks/", TicketSubtaskList.as_view(), name="ticket-subtasks"),
    path("subtasks/mine/", MyTasks.as_view(), name="mine"),
    path("subtasks/<int:pk>/", SubtaskDetail.as_view(), name="detail"),
    path("subtasks/<int:pk>/transition/", SubtaskTransition.as_view(), name="transition"),
]
