"""The ``skins`` command line (typer + rich): the top layer, the only one importing both simulation and analysis.

One module per command group, each with a ``register(app)`` that adds its commands (and sub-command
groups) to the typer app; :mod:`skins.cli.app` builds ``app`` by calling them in ``skins --help`` order:

- :mod:`~skins.cli.run`: ``run``, ``graph``
- :mod:`~skins.cli.configs`: ``validate``, ``schema``, ``personas list|show``, ``worlds list|show``
- :mod:`~skins.cli.export`: ``export``
- :mod:`~skins.cli.analysis`: ``analyze``, ``ablate``, ``compare``
- :mod:`~skins.cli.plan`: ``plan``
- :mod:`~skins.cli.sweep`: ``sweep``, ``status``
- :mod:`~skins.cli.report`: ``report``
- :mod:`~skins.cli.published`: ``published``
- :mod:`~skins.cli.models`: ``models list``, ``cache stats|clear``

A new command goes in its group's module (or a new module with a ``register``, called from
:mod:`skins.cli.app`). Shared pieces: :mod:`~skins.cli.common` (consoles, friendly errors, shared options),
:mod:`~skins.cli.model_options` (``--model``/``--models``, the cache, the usage table),
:mod:`~skins.cli.progress` (runs with progress) and :mod:`~skins.cli.graphing` (the who-deceived-whom table).
Logic is not written here: a command parses its options, calls the packages below and prints.
"""

from skins.cli.app import app

__all__ = ["app"]
