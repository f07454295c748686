"""The mail app keeps no tables of its own: every e-mail is a row of the core outbox."""
