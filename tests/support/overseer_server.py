"""The reasoning stub server (:mod:`reasoning_server`) with an overseer: verdict requests get verdict replies.

A request whose prompt holds the verdict request (``File your verdict``) is answered with the next scripted
verdict (its reasoning and JSON) instead of the role's turn; running out of verdicts raises in the server
thread, so the request fails and a test that expected fewer verdict requests fails with it.
"""

from __future__ import annotations

__all__ = ["VERDICT_MARK", "OverseerServer"]

from typing import Any

from reasoning_server import ReasoningServer, StubTurn

VERDICT_MARK = "File your verdict"
"""Words of the verdict request (:func:`skins.worlds.render_verdict_request`) that no turn prompt holds."""


class OverseerServer(ReasoningServer):
    """Turns per role as :class:`ReasoningServer` answers them; verdict requests answered from ``verdicts``."""

    def __init__(self, turns: dict[str, StubTurn], verdicts: list[StubTurn]) -> None:
        super().__init__(turns)
        self.verdicts = list(verdicts)
        self.verdict_requests = 0

    def _turn(self, endpoint: str, body: dict[str, Any]) -> tuple[StubTurn, str]:
        turn, text = super()._turn(endpoint, body)
        if VERDICT_MARK not in text:
            return turn, text
        with self._lock:
            index = self.verdict_requests
            self.verdict_requests += 1
        return self.verdicts[index], text
