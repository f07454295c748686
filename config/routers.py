"""Database routing: reports read from a replica, everything else from the primary.

With DATABASE_REPLICA_URL set (config/settings/base.py), reads of insights' models — the facts,
hand-backs and deflections every figure aggregates, the weekly goals — go to ``REPORTS_DATABASE``
("replica"), so a quarter's dashboard or an export does not compete with agents' work on the
primary. ``apps.insights.selectors.drilldown`` reads its tickets there explicitly. Writes (the
facts' refresh at the end of each change included) and migrations always go to "default".
A replica trails the primary by its replication lag: figures may be a moment behind, which
reports tolerate; nothing that writes reads from it.
"""

from django.conf import settings

REPORT_APPS = {"insights"}
PRIMARY = "default"


class ReportsRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label in REPORT_APPS:
            return settings.REPORTS_DATABASE
        return None  # Django's default: the instance's own database, else "default"

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: a fact read there may point at a ticket.
        aliases = {PRIMARY, settings.REPORTS_DATABASE}
        return obj1._state.db in aliases and obj2._state.db in aliases

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY
