"""``python -m skins.simulation.models.local serve`` (see :mod:`skins.simulation.models.local.serve`)."""

import sys

from skins.simulation.models.local.serve import main

sys.exit(main())
