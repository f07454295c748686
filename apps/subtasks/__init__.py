"""Subtasks: parallel pieces of a ticket done by anyone, their templates, the collaborator page."""
