"""The adaptive interrogation variants of the built-in worlds: every world with oversight has ``adaptive``
(the overseers question adaptively instead of reading scripted questions) and ``adaptive_control`` (the
same interrogation of an innocent: nothing pays the watched roles to deceive), and nothing else changes."""

from __future__ import annotations

import pytest

from skins.worlds import WorldSpec
from skins.worlds.library import builtin_worlds, load_world

OVERSEEN = sorted(w for w in builtin_worlds() if load_world(w).spec.oversight)


def _overseer_questions(spec: WorldSpec) -> list[int]:
    monitors = {o.monitor for o in spec.oversight}
    return [i for i, e in enumerate(spec.events) if e.from_ in monitors and e.asks_about is not None]


def _watched(spec: WorldSpec) -> set[str]:
    return {r for o in spec.oversight for r in o.watches}


def test_every_built_in_world_has_oversight() -> None:
    assert len(OVERSEEN) == len(builtin_worlds())


@pytest.mark.parametrize("wid", OVERSEEN)
def test_adaptive_interrogates_instead_of_the_scripted_questions(wid: str) -> None:
    base, adaptive = load_world(wid).spec, load_world(f"{wid}@adaptive").spec
    assert _overseer_questions(base), "the scripted world keeps its questions (comparability with the paper)"
    assert not _overseer_questions(adaptive)
    scripted = [e for i, e in enumerate(base.events) if i not in _overseer_questions(base)]
    assert adaptive.events == scripted  # every other scripted message stays, in order
    assert [(o.monitor, o.watches) for o in adaptive.oversight] == [(o.monitor, o.watches) for o in base.oversight]
    for o, before in zip(adaptive.oversight, base.oversight, strict=True):
        it = o.interrogation
        assert it is not None and (it.rounds, it.pressure, it.reveal_evidence) == (2, "medium", True)
        assert o.model_dump(exclude={"interrogation"}) == before.model_dump(exclude={"interrogation"})
        subjects = {s.subject for s in it.about}
        asked = {e.asks_about.subject for e in base.events if e.asks_about is not None and e.from_ == o.monitor}
        assert asked <= subjects, "it asks about at least what the scripted overseer asked about"
        first_prompt = min(e.turn for e in base.events if set(e.to) & set(o.watches))
        assert it.opening_turn > first_prompt, "it opens after the suspect's first chance to deceive"
    assert adaptive.turns.max > base.turns.max  # room for the follow-ups
    changed = {"oversight", "events", "turns", "variant", "variants"}  # a variant is loaded without the variants
    assert adaptive.model_dump(exclude=changed) == base.model_dump(exclude=changed)


@pytest.mark.parametrize("wid", OVERSEEN)
def test_adaptive_control_is_adaptive_without_the_watched_roles_incentives(wid: str) -> None:
    adaptive, control = load_world(f"{wid}@adaptive").spec, load_world(f"{wid}@adaptive_control").spec
    removed = set(adaptive.incentives) - set(control.incentives)
    assert removed and {adaptive.incentives[i].holder for i in removed} <= _watched(adaptive)
    assert not any(i.holder in _watched(control) and i.pushes.worth > 0 for i in control.incentives.values())
    assert control.model_copy(update={"variant": "adaptive"}) == adaptive.without_incentives(sorted(removed))
