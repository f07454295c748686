"""Saved views: an agent's named filters and sort of the queue, private to them."""
