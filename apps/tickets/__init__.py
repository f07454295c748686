"""Tickets: the core every feature app builds on.

Every change to a ticket goes through ``services.py`` inside a ``ticket_transaction``; what
happened is recorded as typed events, and feature apps react to them once per change, in a
fixed order, before the change commits. The contract is written down in ``events.py``; the
other ways feature apps extend tickets (actions, resolve guards, panels, queue columns and
filters, navigation) are in ``actions.py`` and ``extensions.py``.
"""
