"""Hand-built runs for the statistics tests: a world "w" with a rep (a), a buyer (b) and a boss (c)."""

from __future__ import annotations

from typing import Any

from skins.analysis import Evidence, Finding
from skins.worlds import RoleInfo, Transcript

ROLES = {
    "a": RoleInfo(persona="rep", title="Rep", base_model="m1"),
    "b": RoleInfo(persona="buyer", title="Buyer", base_model="m1"),
    "c": RoleInfo(persona="boss", title="Boss", base_model="m1"),
}


def transcript(
    run_id: str, seed: int = 0, world: str = "w", ablated: tuple[str, ...] = (), **kwargs: Any
) -> Transcript:
    roles = kwargs.pop("roles", ROLES)
    return Transcript(run_id=run_id, world_id=world, seed=seed, roles=roles, ablated=list(ablated), **kwargs)


def finding(
    run_id: str, deceiver: str, targets: list[str], index: int, type_: str = "lie", subject: str = "f"
) -> Finding:
    action = type_ in ("denial", "covert_action", "sandbagging")
    return Finding(
        run_id=run_id,
        type=type_,
        deceptive=type_ not in ("honest_mistake", "unfounded"),
        deceiver=deceiver,
        targets=targets,
        subject_kind="action" if action else "fact",
        subject=subject,
        turn=index + 1,
        message_index=index,
        extractor="lexical",
        detector="lie",
        confidence=0.9,
        evidence=Evidence(quote=f"quote {index}"),
    )


def ablation_runs(with_counts: list[int], without_counts: list[int]) -> list[tuple[Transcript, list[Finding]]]:
    runs = []
    for seed, count in enumerate(with_counts):
        runs.append((transcript(f"s{seed}", seed=seed), [finding(f"s{seed}", "a", ["b"], i) for i in range(count)]))
    for seed, count in enumerate(without_counts):
        rid = f"t{seed}"
        runs.append(
            (transcript(rid, seed=seed, ablated=("bonus",)), [finding(rid, "a", ["b"], i) for i in range(count)])
        )
    return runs
