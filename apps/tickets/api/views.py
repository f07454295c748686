"""Endpoints of the tickets API. Each one reads through selectors, writes through services.

A ticket is addressed by its tracking number (``SB-10432``) or its ``id``. A ticket the caller
may not see answers 404, exactly as one that does not exist.
"""

from contextlib import contextmanager

from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.accounts.services import api_token_issue
from apps.core.api.filters import DeclaredOrderingFilter
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.core.ratelimits import ClientRateThrottle

from .. import extensions, selectors, services
from ..filters import TicketFilter
from ..idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from ..models import (
    Attachment,
    Category,
    Channel,
    Comment,
    FieldValue,
    Location,
    Product,
    Ticket,
)
from ..paging import KeysetPagination
from ..permissions import can_work
from ..rows import with_people_and_lookups
from . import serializers as s

TICKET_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Tracking number (SB-10432) or id.",
)
TICKET_SELECT = ("requester", "assignee", "team", "category", "location", "product")
# The public thread a requester reads with their ticket (PortalTicketSerializer).
# The custom fields' answers, with their fields, for every ticket of a page in one query.
CUSTOM_VALUES = Prefetch("field_values", queryset=FieldValue.objects.select_related("field"))
PUBLIC_COMMENTS = Prefetch(
    "comments",
    queryset=Comment.objects.filter(is_internal=False)
    .select_related("author")
    .prefetch_related("attachments")
    .order_by("created_at", "id"),
    to_attr="public_comments",
)


@contextmanager
def service_errors(**renames):
    """Name the API's field when a service refuses input it knows by another name."""
    try:
        yield
    except ApplicationError as error:
        if error.field in renames:
            error.field = renames[error.field]
        raise


def ticket_for(request, key: str) -> Ticket:
    """Digits are an id; anything else is read as a tracking number."""
    return selectors.ticket_get(user=request.user, key=as_id(key) or key)


class WorksTicket(permissions.BasePermission):
    """Anyone who may see a ticket may read it; changing it is for the agents who work it."""

    message = "Only agents working this ticket can change it."

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or can_work(request.user, obj)


# --- tickets ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Tickets the caller may see, newest activity first"),
    create=extend_schema(
        summary="Open a ticket as the caller",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=s.TicketCreateSerializer,
        responses={201: s.TicketSerializer},
    ),
    retrieve=extend_schema(summary="One ticket", parameters=[TICKET_KEY]),
    partial_update=extend_schema(
        summary="Change a ticket's fields (agents working it)",
        parameters=[TICKET_KEY],
        request=s.TicketUpdateSerializer,
        responses={200: s.TicketSerializer},
    ),
)
class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.TicketSerializer
    permission_classes = [permissions.IsAuthenticated, WorksTicket]
    filter_backends = [DjangoFilterBackend, DeclaredOrderingFilter]
    filterset_class = TicketFilter
    # Newest activity first (get_queryset), or ?sort= (TicketFilter); ?ordering= for these only.
    ordering_fields = ["updated_at", "created_at", "priority", "id"]
    pagination_class = KeysetPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = r"[A-Za-z]+-\d+|\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Ticket.objects.none()
        qs = (
            selectors.ticket_list_visible(user=self.request.user)
            .prefetch_related("tags", CUSTOM_VALUES)
            .order_by("-updated_at", "-id")
        )
        if self.action != "list":  # a list's page gets them after (paginate_queryset)
            qs = qs.select_related(*TICKET_SELECT)
        if not self.request.user.is_agent:  # requesters read the portal's shape, thread too
            qs = qs.prefetch_related(PUBLIC_COMMENTS)
        return qs

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return with_people_and_lookups(page) if page is not None else None

    def page_parts(self):
        """Who may see what, in parts the list's pages read by index (KeysetPagination)."""
        return selectors.ticket_visible_parts(user=self.request.user)

    def get_object(self):
        ticket = ticket_for(self.request, self.kwargs["key"])
        self.check_object_permissions(self.request, ticket)
        return ticket

    @idempotent
    def create(self, request, *args, **kwargs):
        refused = {}
        if "priority" in request.data and not request.user.is_agent:
            # Refused rather than ignored, so a client never believes it set one.
            refused["priority"] = ["Support sets the priority: leave it out when opening a ticket."]
        data = self._valid(s.TicketCreateSerializer, refused)
        custom = {f"cf_{key}": value for key, value in data.pop("custom_fields", {}).items()}
        ticket = services.ticket_create(
            requester=request.user, channel=Channel.API, custom=custom, **data
        )
        return self._ticket_response(ticket, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        refused = {}
        if "tier" in request.data:
            # The tier moves only with the target tier's checklist, never by a plain edit.
            base = f"/api/v1/tickets/{ticket.reference}"
            refused["tier"] = [
                f"The tier cannot be set: escalate with POST {base}/escalate/ "
                f"(or hand the ticket back with POST {base}/hand-back/)."
            ]
        data = dict(self._valid(s.TicketUpdateSerializer, refused))
        answers = {k: data.pop(k) for k in extensions.resolve_answer_fields() if k in data}
        services.ticket_update(ticket=ticket, actor=request.user, data=data, answers=answers)
        return self._ticket_response(ticket, worked=True)

    @extend_schema(
        summary="Assign the ticket to yourself",
        parameters=[TICKET_KEY],
        request=None,
        responses={200: s.TicketSerializer},
    )
    @action(detail=True, methods=["post"])
    def take(self, request, key=None):
        ticket = self.get_object()
        services.ticket_take(ticket=ticket, agent=request.user)
        return self._ticket_response(ticket, worked=True)

    def _valid(self, serializer_class, refused: dict | None = None) -> dict:
        """The serializer's data, or one 400 naming every field at fault (``refused``: fields
        this caller may not send, whatever their value)."""
        serializer = serializer_class(data=self.request.data)
        valid = serializer.is_valid()
        if refused or not valid:
            raise ValidationError({**serializer.errors, **(refused or {})})
        return serializer.validated_data

    def _ticket_response(
        self, ticket: Ticket, code: int = status.HTTP_200_OK, *, worked: bool = False
    ) -> Response:
        # Re-read: the service may have moved it, assigned it or changed its tags. It may also
        # have left the caller's queues, so read it by id rather than through visibility.
        ticket = (
            Ticket.objects.select_related(*TICKET_SELECT)
            .prefetch_related("tags", PUBLIC_COMMENTS, CUSTOM_VALUES)
            .get(pk=ticket.pk)
        )
        # ``worked``: the caller changed it as its agent, so they read the agent's shape even
        # when the change took it out of their queues.
        context = {**self.get_serializer_context(), "worked": worked}
        return Response(self.get_serializer(ticket, context=context).data, status=code)


# --- a ticket's comments and attachments --------------------------------------------------


class TicketChildView(generics.GenericAPIView):
    """Comments and attachments live under a ticket the caller may see."""

    filter_backends = []  # a thread is read in order, whole

    def ticket(self) -> Ticket:
        if not hasattr(self, "_ticket"):
            self._ticket = ticket_for(self.request, self.kwargs["key"])
        return self._ticket


@extend_schema_view(
    get=extend_schema(summary="The thread as the caller may read it", parameters=[TICKET_KEY]),
    post=extend_schema(
        summary="Reply, or add an internal note (agents)",
        parameters=[TICKET_KEY, IDEMPOTENCY_KEY_PARAMETER],
        request=s.CommentCreateSerializer,
        responses={201: s.CommentSerializer},
    ),
)
class CommentListCreateView(TicketChildView, generics.ListCreateAPIView):
    name = "Comments"
    serializer_class = s.CommentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return selectors.comment_list_for(user=self.request.user, ticket=self.ticket())

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(internal="is_internal"):
            comment = services.comment_add(
                ticket=self.ticket(),
                author=request.user,
                body=serializer.validated_data["body"],
                internal=serializer.validated_data["is_internal"],
                channel=Channel.API,
                time_spent=serializer.validated_data.get("time_spent"),
            )
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Files on the ticket the caller may see", parameters=[TICKET_KEY]),
    post=extend_schema(
        summary="Attach files to the ticket",
        parameters=[TICKET_KEY],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer(many=True)},
    ),
)
class AttachmentListCreateView(TicketChildView, generics.ListCreateAPIView):
    name = "Attachments"
    serializer_class = s.AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None  # a ticket has a handful of files

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return selectors.attachment_list_for(user=self.request.user, ticket=self.ticket())

    def create(self, request, *args, **kwargs):
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors(attachments="files"):
            stored = services.attachment_add(
                ticket=self.ticket(), user=request.user, files=serializer.validated_data["files"]
            )
        return Response(self.get_serializer(stored, many=True).data, status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="The ticket's history, oldest first (agents working it)", parameters=[TICKET_KEY]
    )
)
class EventListView(TicketChildView, generics.ListAPIView):
    name = "History"
    serializer_class = s.EventSerializer
    pagination_class = None  # read whole, as the ticket page shows it

    def list(self, request, *args, **kwargs):
        ticket = self.ticket()
        if not can_work(request.user, ticket):
            raise Http404("No such ticket.")  # requesters do not read the desk's history
        events = selectors.event_list_for(ticket=ticket)
        return Response(self.get_serializer(events, many=True).data)


# --- lookups ------------------------------------------------------------------------------


class LookupViewSet(viewsets.ReadOnlyModelViewSet):
    """Small admin-edited lists the ticket fields take ids from: returned whole."""

    pagination_class = None
    filter_backends = []


class CategoryViewSet(LookupViewSet):
    queryset = Category.objects.filter(is_active=True)
    serializer_class = s.CategorySerializer


class LocationViewSet(LookupViewSet):
    queryset = Location.objects.filter(is_active=True)
    serializer_class = s.LocationSerializer


class ProductViewSet(LookupViewSet):
    queryset = Product.objects.filter(is_active=True)
    serializer_class = s.ProductSerializer


class TeamViewSet(LookupViewSet):
    queryset = Team.objects.all()
    serializer_class = s.TeamSerializer


# --- token --------------------------------------------------------------------------------


class TokenView(APIView):
    """Trade an e-mail and password for the caller's API token (a new one once it expired)."""

    name = "API token"
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # Guessing passwords here is slow work: throttled per client address (a made-up
    # X-Forwarded-For does not change it), and locked out per address+client by django-axes.
    throttle_classes = [ClientRateThrottle]
    throttle_scope = "api_token"

    @extend_schema(
        summary="Get an API token",
        request=s.TokenRequestSerializer,
        responses={200: s.TokenSerializer, 400: OpenApiResponse(description="Wrong credentials")},
    )
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            # Django's request, not DRF's wrapper: django-axes marks a locked-out attempt on
            # it, and its middleware answers 429.
            request._request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ApplicationError("That e-mail address and password do not match an account.")
        return Response({"token": api_token_issue(user=user).key})
