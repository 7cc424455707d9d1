"""Relation finders, one module per kind: posts, cues, events (and context)."""

from __future__ import annotations

from .document import find_relations

__all__ = ["find_relations"]
