"""A value every process keeps (read from the database once) until any process says it
changed: the version in the shared cache moves, and each process reads the value again on its
next question. For what nearly every request asks and admins rarely change (SLA policies, the
custom fields)."""

import threading
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


class ProcessCache:
    def __init__(self, key: str, load: Callable[[], object]):
        self.key, self.load = key, load
        self._local = threading.local()

    def get(self):
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, None)
            version = cache.get(self.key)
        if version is None or getattr(self._local, "version", None) != version:
            self._local.version, self._local.value = version, self.load()
        return self._local.value

    def forget(self) -> None:
        """Every process reads the value again on its next question."""
        cache.delete(self.key)

    def _changed(self, **kwargs) -> None:
        # Now, and again once committed: a process that read it in between saw the old rows.
        self.forget()
        transaction.on_commit(self.forget)

    def forget_on_change(self, *models, m2m=()) -> None:
        """Saving or deleting any of ``models`` (or changing an ``m2m`` through table) moves
        the version. Bulk writes send no signal: their callers call ``forget``."""
        for model in models:
            uid = f"{self.key}:{model._meta.label}"
            post_save.connect(self._changed, sender=model, dispatch_uid=f"{uid}:saved")
            post_delete.connect(self._changed, sender=model, dispatch_uid=f"{uid}:deleted")
        for through in m2m:
            m2m_changed.connect(
                self._changed, sender=through, dispatch_uid=f"{self.key}:{through._meta.label}"
            )
