"""Tiered support is part of the ticket core, not a feature app beside it.

Every ticket has a tier from the moment it exists; who may see and answer it (the holder,
direct support at tier 3) is decided in ``tickets.permissions``; escalation and hand-back are
steps of the life of every ticket. So tiers lives inside ``apps.tickets``: its models are
tickets models (imported by name in ``tickets.models``), the tickets app wires its reactions and
pages from its own ``ready()``, and feature apps reach it only as they reach the rest of tickets.
"""
