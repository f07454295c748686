"""What the tickets app announces. Feature apps connect to these; tickets imports none of them.

``ticket_event`` is sent inside the writing transaction, right after a TicketEvent row is
stored, with ``event`` (the row; ``event.ticket`` is the up-to-date ticket). Receivers that
write (an SLA clock, a routing decision) join the same transaction; receivers with outside
effects (e-mail) must defer them with ``transaction.on_commit``.
"""

from django.dispatch import Signal

ticket_event = Signal()
