"""Named registries of small factories (claim extractors, detectors), like inspect_ai's providers.

A factory is registered under a name with a decorator and called on lookup, so
anything heavy it needs is imported only when it is used. A failed lookup
lists the registered names.
"""

from __future__ import annotations

__all__ = ["Registry"]

from collections.abc import Callable
from typing import Generic, TypeVar

from skins.core.errors import ConfigError, NotFoundError

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories of ``T`` by name; ``kind`` names what they build in error messages."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[[], T]] = {}

    def register(self, name: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
        """Decorator registering a factory under ``name`` (each name once)."""

        def decorate(factory: Callable[[], T]) -> Callable[[], T]:
            if not name or not name.strip():
                raise ConfigError(f"a {self.kind} needs a non-empty name")
            if name in self._factories and self._factories[name] is not factory:
                raise ConfigError(
                    f"{self.kind} {name!r} is already registered by "
                    f"{_qualname(self._factories[name])}; choose another name"
                )
            self._factories[name] = factory
            return factory

        return decorate

    def get(self, name: str) -> T:
        """Build the registered ``name``; an unknown name lists the registered ones."""
        factory = self._factories.get(name)
        if factory is None:
            raise NotFoundError(
                f"unknown {self.kind} {name!r}; registered {self.kind}s are {self.names()}: use "
                f"one of them or register yours with @register_{self.kind.split()[-1]}({name!r})"
            )
        return factory()

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._factories)


def _qualname(factory: Callable[..., object]) -> str:
    return f"{getattr(factory, '__module__', '?')}.{getattr(factory, '__qualname__', repr(factory))}"
