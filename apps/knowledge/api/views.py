"""The knowledge REST API: articles (read by audience, written by agents), search, feedback,
and the numbers leads read."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.filters import DeclaredOrderingFilter

from ..models import Article, RevisionStatus
from ..permissions import can_edit, readable_articles_q
from ..search import article_search
from ..selectors import (
    article_numbers,
    article_queryset_for,
    empty_searches,
    pending_revisions_for,
    revision_list,
    weekly_numbers,
)
from ..services import (
    article_create,
    article_set_status,
    article_update,
    feedback_record,
    revision_approve,
    revision_reject,
    search_log,
)
from ..visitors import may_count, remember_visitor, visitor_key, vote_over_limit
from .serializers import (
    ArticleFileSerializer,
    ArticleSerializer,
    ArticleWriteSerializer,
    FeedbackSerializer,
    HitSerializer,
    PendingChangeSerializer,
    RejectSerializer,
    RevisionSerializer,
)


class IsEditorOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_edit(request.user)


def _articles_for(user):
    """Editors read every article (drafts too) but another team's one-team ones; everyone else
    what the audience rules allow (selectors.article_queryset_for)."""
    return article_queryset_for(user).select_related("section").prefetch_related("tags")


def _editable_article(request, pk) -> Article:
    """An article an editor may see, else 404 (also for another team's one-team article)."""
    article = _articles_for(request.user).filter(pk=pk).first() if can_edit(request.user) else None
    if article is None:
        raise Http404
    return article


def _visitor_key(request) -> str:
    """Whom one vote belongs to: the account for API tokens, else the visitor cookie (no
    session row for an anonymous call)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return visitor_key(request)


class ArticleList(generics.ListAPIView):
    permission_classes = [IsEditorOrReadOnly]
    serializer_class = ArticleSerializer
    # A generic list view, so the schema documents the page ({count, next, previous, results}).
    pagination_class = PageNumberPagination
    filter_backends = [DeclaredOrderingFilter]
    ordering_fields = ["title", "updated_at", "published_at", "view_count", "id"]
    ordering = ["title", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        qs = _articles_for(self.request.user)
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs

    @extend_schema(
        operation_id="knowledge_articles_list",
        parameters=[OpenApiParameter("status", str, description="Editors: filter by status.")],
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(request=ArticleWriteSerializer, responses={201: ArticleSerializer})
    def post(self, request):
        data = ArticleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "title" not in fields:
            return Response({"title": ["This field is required."]}, status=400)
        article = article_create(author=request.user, **fields)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class ArticleDetail(APIView):
    permission_classes = [IsEditorOrReadOnly]
    serializer_class = ArticleSerializer

    def _get(self, request, pk):
        article = _articles_for(request.user).filter(pk=pk).first()
        if article is None:
            raise Http404
        return article

    def get(self, request, pk):
        return Response(ArticleSerializer(self._get(request, pk)).data)

    @extend_schema(
        request=ArticleWriteSerializer,
        responses={200: ArticleSerializer, 202: PendingChangeSerializer},
        description="A change to a published article by someone who may not publish it is "
        "not applied: it awaits a lead's approval (202, with the pending revision).",
    )
    def patch(self, request, pk):
        article = self._get(request, pk)
        data = ArticleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        new_status = fields.pop("status", None)
        pending = None
        if fields:
            article = article_update(article=article, actor=request.user, data=fields)
            pending = article.pending_revision
        if new_status:
            article = article_set_status(article=article, actor=request.user, status=new_status)
        current = ArticleSerializer(self._get(request, article.pk)).data
        if pending is not None:
            body = {
                "detail": "Your change awaits a lead's approval.",
                "revision": RevisionSerializer(pending).data,
                "article": current,
            }
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(current)


class ArticleRevisions(generics.ListAPIView):
    """An article's revisions, pending and rejected changes included (editors)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RevisionSerializer
    pagination_class = PageNumberPagination
    ordering_fields = ["number", "created_at"]  # default: newest first (revision_list)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        return revision_list(article=_editable_article(self.request, self.kwargs["pk"]))


class ArticleFiles(generics.ListAPIView):
    """An article's images and files (editors), with the address that serves each."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ArticleFileSerializer
    pagination_class = None
    filter_backends = []  # a handful of files, read whole: no ?ordering=

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        article = _editable_article(self.request, self.kwargs["pk"])
        return article.files.order_by("pk")


class PendingChanges(generics.ListAPIView):
    """Changes to published articles awaiting the approval of the signed-in lead."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RevisionSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        return pending_revisions_for(user=self.request.user)


def _pending(request, pk, number):
    article = _editable_article(request, pk)
    revision = article.revisions.filter(number=number).first()
    if revision is None or revision.status != RevisionStatus.PENDING:
        raise Http404
    return revision


class ApproveRevision(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=ArticleSerializer)
    def post(self, request, pk, number):
        article = revision_approve(revision=_pending(request, pk, number), actor=request.user)
        return Response(ArticleSerializer(_articles_for(request.user).get(pk=article.pk)).data)


class RejectRevision(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=RejectSerializer, responses=RevisionSerializer)
    def post(self, request, pk, number):
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        revision = revision_reject(
            revision=_pending(request, pk, number),
            actor=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(RevisionSerializer(revision).data)


class Search(APIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = HitSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="What the person typed; never an error."),
            OpenApiParameter("limit", int, description="1 to 50, default 10."),
            OpenApiParameter(
                "exact", bool, description="true: never search corrected spellings instead."
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        try:
            limit = max(1, min(int(request.query_params.get("limit", 10)), 50))
        except ValueError:
            return Response({"limit": ["A whole number from 1 to 50."]}, status=400)
        exact = request.query_params.get("exact", "").lower() in ("1", "true")
        result = article_search(query=query, user=request.user, limit=limit, exact=exact)
        if may_count(request):
            search_log(query=query, results=len(result), source="api")
        return Response(
            {
                "query": result.query,
                "matched_by": result.matched_by,
                # What was searched instead when no article uses a typed word ("" otherwise).
                "corrected_query": result.corrected_query,
                "results": HitSerializer(result.hits, many=True).data,
            }
        )


class Feedback(APIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = FeedbackSerializer

    @extend_schema(request=FeedbackSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk):
        article = Article.objects.filter(readable_articles_q(request.user), pk=pk).first()
        if article is None:
            raise Http404
        if vote_over_limit(request, article):
            raise Throttled(wait=getattr(request, "rate_limit_retry_after", None))
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_record(
            article=article,
            helpful=data.validated_data["helpful"],
            comment=data.validated_data.get("comment", ""),
            user=request.user,
            session_key=_visitor_key(request),
        )
        response = Response(
            {"article": article.pk, "helpful": feedback.helpful}, status=status.HTTP_201_CREATED
        )
        return remember_visitor(request, response)


class IsLead(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.is_lead


class Numbers(APIView):
    permission_classes = [IsLead]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        articles = [
            {
                "id": a.pk,
                "title": a.title,
                "status": a.status,
                "views": a.view_count,
                "helpful_yes": a.helpful_yes,
                "helpful_no": a.helpful_no,
                "deflections": a.deflection_count,
                "tickets_resolved": a.resolved_ticket_count,
            }
            for a in article_numbers(user=request.user)[:100]
        ]
        return Response(
            {
                "articles": articles,
                "weeks": weekly_numbers(weeks=12),
                "searches_without_results": empty_searches(days=30, limit=20),
            }
        )
