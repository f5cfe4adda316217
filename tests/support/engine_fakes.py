"""Agents for the Ray engine's tests, built on the workers from plain load kwargs (picklable by reference)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

from support.agent_fakes import FakeEncoder, trigram_embed

#: a document with this text makes the fake agent raise (a "bad text" that fails)
POISON = "POISON-PILL"


class _FailingEncoder(FakeEncoder):
    """The fake encoder, failing on POISON, and with scores that depend on the batch, as the real
    one's do (bfloat16 padding): an engine gives the local engine's outputs only if it batches
    the same sentences together."""

    def propose(self, sentences, batch_size: int = 32, relation_threshold: float | None = None):
        if any(POISON in s for s in sentences):
            raise ValueError("the encoder cannot read this text")
        out = super().propose(sentences, batch_size=batch_size, relation_threshold=relation_threshold)
        wobble = 0.0001 * (len(sentences) % 7)
        for prop in out:
            prop.entities[:] = [dataclasses.replace(e, score=e.score - wobble) for e in prop.entities]
        return out


class _KillOnce:
    """Wraps an agent: the first time a document containing ``marker`` comes, the process dies."""

    def __init__(self, agent: Any, marker: str, flag: Path):
        self._agent, self._marker, self._flag = agent, marker, flag

    def iter_extract(self, docs, update_graph: bool = False):
        docs = list(docs)
        if any(self._marker in d.text for d in docs) and not self._flag.exists():
            self._flag.write_text(str(os.getpid()))
            os._exit(1)  # a worker killed mid-batch: no clean-up, no exception
        return self._agent.iter_extract(docs, update_graph=update_graph)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agent, name)


def fake_agent(*, kill_on: str | None = None, kill_flag: str | None = None, **load_kwargs: Any) -> Any:
    """``Agent.load(**load_kwargs)`` with the fake encoder and the trigram linker (what ``fake_cli`` builds).

    ``kill_on``/``kill_flag``: the actor's process exits the first time (once per flag file) a batch
    holds a document with ``kill_on`` in its text.
    """
    from kgagent.agent import Agent

    load_kwargs = {k: v for k, v in load_kwargs.items() if k not in ("model", "precision")}
    agent = Agent.load(model=_FailingEncoder(), **load_kwargs)
    agent._linker = agent.kg.linker(embed=trigram_embed, embed_id="trigram-64", persist=False)
    if kill_on:
        return _KillOnce(agent, kill_on, Path(kill_flag or "kill.flag"))
    return agent
