"""The queue's query string as a saved view keeps it: its own parameters only, in one order."""

from urllib.parse import urlencode

from .. import extensions
from ..forms import QueueFilterSet

VALUE_MAX = 200
# The queue reads a missing status as "active" and an empty one as "any": say which, always.
STATUS_DEFAULT = "active"


def queue_parameters() -> list[str]:
    return [*QueueFilterSet.base_filters, "flag", "per"]


def queue_query_clean(params) -> str:
    """``params`` (a QueryDict or dict) as a saved view's query: the queue's filter, sort,
    quick-filter and page-size parameters, empty (and default) ones dropped except the status;
    anything else (the page number, parameters the queue does not know) left out. Two queries
    that show the same queue come out the same, so the bar can tell which view is open."""
    # The queue's views import this module (through the selectors): read its page sizes late.
    from ..views.workspace import PAGE_SIZES

    flags = {flt.name for flt in extensions.queue_filters()}
    page_size_default = str(PAGE_SIZES[0])
    kept = []
    for name in queue_parameters():
        value = str(params.get(name) or "").strip()[:VALUE_MAX]
        if name == "status":
            kept.append((name, value if name in params else STATUS_DEFAULT))
        elif name == "flag" and value not in flags:
            continue
        elif name == "per" and value == page_size_default:
            continue  # the queue's own default: a view saved with it opens the same without
        elif value:
            kept.append((name, value))
    return urlencode(kept)
