"""Template context: navigation entries that feature apps registered."""

from django.urls import reverse

from .extensions import nav_links_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_extra": []}
    return {
        "nav_extra": [
            {"label": n.label, "url": reverse(n.url_name), "name": n.url_name}
            for n in nav_links_for(user)
        ]
    }
