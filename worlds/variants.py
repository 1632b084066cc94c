"""World variants: a world's YAML with one variant's merge patch applied, located for error messages."""

from __future__ import annotations

__all__ = ["PatchedIndex", "added_keys", "merge_patch", "missing_deletes", "split_ref", "variant_data"]

from collections.abc import Sequence
from typing import Any

from skins.core import LineIndex, Loc, did_you_mean, render_loc


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: mappings merge recursively, ``None`` deletes, other values replace."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def missing_deletes(target: Any, patch: Any, at: Loc = ()) -> list[tuple[Loc, str]]:
    """Each ``null`` of ``patch`` that removes a key ``target`` does not have (a typo: the variant would
    silently equal the world), with the keys that are there.

    >>> [(loc, msg)] = missing_deletes({"incentives": {"sales_bonus": {}}}, {"incentives": {"sales_bonuss": None}})
    >>> loc
    ('incentives', 'sales_bonuss')
    >>> msg
    "nothing to remove: no 'sales_bonuss' (did you mean 'sales_bonus'?); incentives has ['sales_bonus']"
    """
    if not isinstance(patch, dict):
        return []
    here = target if isinstance(target, dict) else {}
    out: list[tuple[Loc, str]] = []
    for key, value in patch.items():
        loc = (*at, key)
        if value is None and key not in here:
            where = render_loc(at) if at else "the world"
            msg = f"nothing to remove: no {key!r}{did_you_mean(key, here)}; {where} has {sorted(map(str, here))}"
            out.append((loc, msg))
        elif isinstance(value, dict) and key in here:
            out += missing_deletes(here[key], value, loc)
    return out


def added_keys(target: Any, patch: Any, at: Loc = ()) -> list[tuple[Loc, str]]:
    """Where ``patch`` adds a mapping key ``target`` lacks, each with a did-you-mean among the keys there
    (empty when none is close): an addition is allowed, but one that fails validation may be a typo.

    >>> added_keys({"incentives": {"sales_bonus": {}}}, {"incentives": {"sales_bonuss": {"worth": 0}}})
    [(('incentives', 'sales_bonuss'), " (did you mean 'sales_bonus'?)")]
    """
    if not isinstance(patch, dict):
        return []
    here = target if isinstance(target, dict) else {}
    out: list[tuple[Loc, str]] = []
    for key, value in patch.items():
        if value is not None and key not in here:
            out.append(((*at, key), did_you_mean(key, here)))
        elif isinstance(value, dict):
            out += added_keys(here.get(key), value, (*at, key))
    return out


def variant_data(data: dict[str, Any], name: str) -> dict[str, Any]:
    """The world's raw data as variant ``name`` (which must exist in ``data['variants']``)."""
    patch = data["variants"][name]["patch"]
    merged = merge_patch({k: v for k, v in data.items() if k not in ("variants", "variant")}, patch)
    assert isinstance(merged, dict)  # the base is a mapping and the patch a mapping (schema)
    return {**merged, "variant": name}


def split_ref(ref: str) -> tuple[str, str | None]:
    """``'insider_trading@no_scratchpad'`` -> ``('insider_trading', 'no_scratchpad')``."""
    base, sep, variant = ref.rpartition("@")
    return (base, variant) if sep and base and variant else (ref, None)


class PatchedIndex(LineIndex):
    """Lines for a variant's data: a path the patch wrote points into the patch, others into the base world."""

    def __init__(self, base: LineIndex, name: str) -> None:
        super().__init__(base.source, base._lines, base.int_keys)
        self._base = base
        self._prefix: Loc = ("variants", name, "patch")

    def line(self, loc: Sequence[str | int]) -> int | None:
        path = tuple(loc)
        for end in range(len(path), 0, -1):
            found = self._lines.get((*self._prefix, *path[:end]))
            if found is not None:
                return found
        return self._base.line(path)
