"""Endpoints of the tickets API. Each one reads through selectors, writes through services.

A ticket is addressed by its tracking number (``SB-10432``) or its ``id``. A ticket the caller
may not see answers 404, exactly as one that does not exist.
"""

from contextlib import contextmanager

from django.contrib.auth import authenticate
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
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id

from .. import extensions, selectors, services
from ..filters import TicketFilter
from ..idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from ..models import Attachment, Category, Channel, Comment, Location, Product, Ticket
from ..permissions import can_work
from . import serializers as s

TICKET_KEY = OpenApiParameter(
    "key",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Tracking number (SB-10432) or id.",
)
TICKET_SELECT = ("requester", "assignee", "team", "category", "location", "product")


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


class TicketPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


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
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter
    pagination_class = TicketPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = r"[A-Za-z]+-\d+|\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Ticket.objects.none()
        return (
            selectors.ticket_list_visible(user=self.request.user)
            .select_related(*TICKET_SELECT)
            .prefetch_related("tags")
            .order_by("-updated_at", "-id")
        )

    def get_object(self):
        ticket = ticket_for(self.request, self.kwargs["key"])
        self.check_object_permissions(self.request, ticket)
        return ticket

    @idempotent
    def create(self, request, *args, **kwargs):
        data = self._valid(s.TicketCreateSerializer)
        ticket = services.ticket_create(requester=request.user, channel=Channel.API, **data)
        return self._ticket_response(ticket, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        ticket = self.get_object()
        data = dict(self._valid(s.TicketUpdateSerializer))
        answers = {k: data.pop(k) for k in extensions.resolve_answer_fields() if k in data}
        services.ticket_update(ticket=ticket, actor=request.user, data=data, answers=answers)
        return self._ticket_response(ticket)

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
        return self._ticket_response(ticket)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _ticket_response(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        # Re-read: the service may have moved it, assigned it or changed its tags. It may also
        # have left the caller's queues, so read it by id rather than through visibility.
        ticket = (
            Ticket.objects.select_related(*TICKET_SELECT).prefetch_related("tags").get(pk=ticket.pk)
        )
        return Response(self.get_serializer(ticket).data, status=code)


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
    """Trade an e-mail and password for the caller's API token (created on first use)."""

    name = "API token"
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # Guessing passwords here is slow work.
    throttle_classes = [ScopedRateThrottle]
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
            request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ApplicationError("That e-mail address and password do not match an account.")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
