"""Macros: canned replies an agent picks in the reply box, with the field changes they bring."""
