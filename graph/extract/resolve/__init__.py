"""Alias resolution inside one document: mentions -> canonical entities.

全总 / 全国总工会 become 中华全国总工会 through the lexicon; 省总工会 becomes
浙江省总工会 through the division the sentence, heading or document is about;
quoted and unquoted forms of a policy or event become one entity.
"""

from __future__ import annotations

from .mentions import build_entities, resolve_mentions
from .variants import comparison_key

__all__ = ["resolve_mentions", "build_entities", "comparison_key"]
