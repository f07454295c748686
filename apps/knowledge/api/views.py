"""The knowledge REST API: articles (read by audience, written by agents), search, feedback,
and the numbers leads read."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Article
from ..permissions import can_edit, readable_articles_q
from ..search import article_search
from ..selectors import article_numbers, empty_searches, weekly_numbers
from ..services import (
    article_create,
    article_set_status,
    article_update,
    feedback_record,
    search_log,
)
from .serializers import (
    ArticleSerializer,
    ArticleWriteSerializer,
    FeedbackSerializer,
    HitSerializer,
)


class IsEditorOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or can_edit(request.user)


def _articles_for(user):
    """Editors read every article (drafts too); everyone else what the audience rules allow."""
    qs = Article.objects.select_related("section").prefetch_related("tags")
    return qs if can_edit(user) else qs.filter(readable_articles_q(user))


def _visitor_key(request) -> str:
    """Whom one vote belongs to: the account for API tokens, else the browser session."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


class ArticleList(APIView):
    permission_classes = [IsEditorOrReadOnly]
    serializer_class = ArticleSerializer

    @extend_schema(
        operation_id="knowledge_articles_list",
        responses=ArticleSerializer(many=True),
        parameters=[OpenApiParameter("status", str, description="Editors: filter by status.")],
    )
    def get(self, request):
        qs = _articles_for(request.user).order_by("title", "id")
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ArticleSerializer(page, many=True).data)

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

    @extend_schema(request=ArticleWriteSerializer, responses=ArticleSerializer)
    def patch(self, request, pk):
        article = self._get(request, pk)
        data = ArticleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        new_status = fields.pop("status", None)
        if fields:
            article = article_update(article=article, actor=request.user, data=fields)
        if new_status:
            article = article_set_status(article=article, actor=request.user, status=new_status)
        return Response(ArticleSerializer(self._get(request, article.pk)).data)


class Search(APIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = HitSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="What the person typed; never an error."),
            OpenApiParameter("limit", int, description="1 to 50, default 10."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        try:
            limit = max(1, min(int(request.query_params.get("limit", 10)), 50))
        except ValueError:
            return Response({"limit": ["A whole number from 1 to 50."]}, status=400)
        result = article_search(query=query, user=request.user, limit=limit)
        search_log(query=query, results=len(result), source="api")
        return Response(
            {
                "query": result.query,
                "matched_by": result.matched_by,
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
        data = FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = feedback_record(
            article=article,
            helpful=data.validated_data["helpful"],
            comment=data.validated_data.get("comment", ""),
            user=request.user,
            session_key=_visitor_key(request),
        )
        return Response(
            {"article": article.pk, "helpful": feedback.helpful}, status=status.HTTP_201_CREATED
        )


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
            for a in article_numbers()[:100]
        ]
        return Response(
            {
                "articles": articles,
                "weeks": weekly_numbers(weeks=12),
                "searches_without_results": empty_searches(days=30, limit=20),
            }
        )
