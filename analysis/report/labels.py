"""How the report names a condition in its tables and plots: ``world@variant −incentive`` and a model
assignment shortened to ``all policy`` when every role plays on one base model."""

from __future__ import annotations

__all__ = ["condition_label", "models_cell"]

from skins.analysis.stats import condition_name
from skins.analysis.stats.factors import DEFAULT_VARIANT

_NOTHING_ABLATED = condition_name(())


def condition_label(world: str, variant: str, ablation: str = _NOTHING_ABLATED) -> str:
    """A condition in one label: ``world@variant`` (the variant only when not the default), then
    ``−incentive,...`` when incentives were ablated.

    >>> condition_label("sandbagging", "do_well", "bonus,deadline"), condition_label("w", "default")
    ('sandbagging@do_well −bonus,deadline', 'w')
    """
    name = world if variant == DEFAULT_VARIANT else f"{world}@{variant}"
    return name if ablation == _NOTHING_ABLATED else f"{name} −{ablation}"


def models_cell(models: str) -> str:
    """A model assignment as :func:`~skins.analysis.stats.factors.models_name` writes it, shortened to
    ``all MODEL`` when every role plays on one base model.

    >>> models_cell("a=policy, b=policy"), models_cell("a=policy, b=openai:gpt-4o"), models_cell("")
    ('all policy', 'a=policy, b=openai:gpt-4o', '')
    """
    played = {pair.partition("=")[2] for pair in models.split(", ")}
    return f"all {played.pop()}" if models and len(played) == 1 else models
