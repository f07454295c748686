"""Browser tests use the ``browser`` and ``open_page`` fixtures of the root conftest."""
