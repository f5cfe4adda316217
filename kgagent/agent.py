"""The agent: text -> proposals -> links -> rule facts -> decisions with proofs -> graph.

Per document (``Agent.process``): sentences -> ``encoder.propose`` (batched) -> labels
normalised to the rule vocabulary -> ``linker.link`` -> base facts (the vocabulary of
rules/README.md plus ``kg.rule_facts`` around the linked entities) -> one rules ``Model`` ->
a verdict per candidate (reject > review > repair > accept) with its proof -> a :class:`GraphDelta`.
``process`` is a pure function of (document, frozen model/graph/rules): it never writes the
graph; ``commit`` applies a delta (idempotent, ids are content hashes). ``extract`` does both.
The proposals become candidates in :mod:`kgagent.candidates`, the candidates base facts in
:mod:`kgagent.base_facts`; a claim given to ``validate`` is read in :mod:`kgagent.claims`.

>>> from kgagent import Agent                                    # doctest: +SKIP
>>> agent = Agent.load()                                         # doctest: +SKIP
>>> [d.verdict for d in agent.extract("Boston is in Texas.")[0].decisions]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import inspect
import numbers
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from kgagent.base_facts import (
    base_facts,
    candidates_of,
    cue_facts,
    mention_facts,
    name_means,
    name_others,
    name_priors,
    place_facts,
)
from kgagent.candidates import document_candidates, new_entity_iri, round_score
from kgagent.claims import ClaimResult, check_claim_classes, parse_claim
from kgagent.decisions import (
    ACCEPTING,
    CLAIM_SOURCES,
    Decision,
    DocumentResult,
    MentionResult,
    RelationResult,
    graph_delta,
    label_sources,
    relation_name,
    stable_id,
    verdicts,
)
from kgagent.domain import Domain, rule_path_shown
from kgagent.encoder.precision import PRECISIONS, cpu_has_bfloat16
from kgagent.errors import InputError, binary_hint, is_text, not_text
from kgagent.facts import FactsAnswer
from kgagent.ids import text_hash
from kgagent.names import derived_from, name_parts, name_words, only_suffix
from kgagent.proofs import quoted, walk
from kgagent.schema import Candidate, Document, Link, ProofNode, SentenceProposals
from kgagent.text import dateline_alone, sentence_spans

#: the rules see relations down to this score (the encoder's own threshold is usually higher)
DEFAULT_MIN_RELATION_SCORE = 0.2
#: the relation threshold assumed for an encoder that does not tell its own
DEFAULT_MODEL_THRESHOLD = 0.5
#: weight (log units) of the other mentions of the same name in the document in a mention's type
#: (the rule files' ``threshold(same_name_weight, W)`` overrides it)
SAME_NAME_WEIGHT = 1.0
#: ``name_type(M, C, S)`` facts are asserted for classes the name's other mentions score at least this
NAME_TYPE_FLOOR = 0.1
#: weight (log units) of the corpus memory's type votes in a mention's type
#: (the rule files' ``threshold(memory_weight, W)`` overrides it)
MEMORY_WEIGHT = 1.0
#: a link at least this sure tells a mention's kind, when the rule files set no
#: ``threshold(link_trusted, T)`` (the shared types.rules read the same fact)
LINK_TRUSTED = 0.9
#: the label of a claim's argument when neither the caller, the signature nor the graph types it
#: and the ontology has no untyped class
UNTYPED_LABEL = "untyped"


def load_agent_rules(domain: Domain, rules: str | Path | None = None) -> tuple[list[Path], Any]:
    """The rule paths an agent of ``domain`` reads (the shared rules, then ``rules`` instead of
    the domain's own when given) and their program, checked as the agent loads them: InputError
    KGA408 for a ``rules`` folder that is not there, RuleError for the rule language's errors
    (KGA1xx) and the thresholds' (KGA118, KGA119). Commands call it to refuse bad rules before
    long work (``train --rounds``). With the shared rules, a score band no file sets is RuleError
    KGA127 too (the shared rules would decide nothing)."""
    if rules is not None and not isinstance(rules, (str, Path)):
        raise InputError(f"rules must be a rules directory (a str or Path), not {type(rules).__name__}",
                         code="KGA419")
    if rules is not None and not Path(rules).exists():
        raise InputError(f"no such rules directory: {rules}", code="KGA408")
    paths = [rule_path_shown(p) for p in domain.rules_with(rules)]
    return paths, _load_checked(domain, paths)


def _load_checked(domain: Domain, paths: list[Path]) -> Any:
    from kgagent.rules import load_rules

    return _checked_thresholds(load_rules(paths, display=partial(domain.rule_name, own=paths[-1])),
                               shared=domain.shared_rules)


def _checked_thresholds(program: Any, shared: bool = False) -> Any:
    """``program``, or RuleCheckError for its thresholds' errors (KGA118, KGA119; with the
    ``shared`` rules, KGA127 for a threshold they cannot do without that no file sets)."""
    from kgagent.rules.diagnostics import RuleCheckError
    from kgagent.thresholds import threshold_problems, unset_thresholds

    problems = threshold_problems(program)
    if shared and not problems:
        problems = [d for d in unset_thresholds(program) if d.is_error]
    if problems:
        raise RuleCheckError(problems)
    return program


class Agent:
    """Encoder + knowledge graph + rules, joined into one explainable extraction pipeline.

    Build it with :meth:`load`. Thread-safe: the graph, the linker and the rules are read and
    written under one lock; the encoder runs outside it.
    """

    def __init__(self, encoder: Any, kg: Any, program: Any, *, domain: Domain | None = None, linker: Any = None,
                 rules_path: str | Path | list[Path] | None = None, batch_size: int = 32, record_proofs: bool = True,
                 min_relation_score: float | None = DEFAULT_MIN_RELATION_SCORE, precision: str = "float32",
                 joint: bool = True, memory: Any = None, near_miss_floor: float | None = None):
        from kgagent.joint import Signatures
        from kgagent.rules import Engine

        _check_settings(batch_size, min_relation_score, near_miss_floor)
        self._encoder = encoder
        self.kg = kg
        #: the domain: ontology, label map, wording (None: the default domain)
        self.domain = domain if domain is not None else Domain.load()
        self.rules_path = _paths(rules_path)
        self.batch_size = batch_size
        self.record_proofs = record_proofs
        self._lock = threading.RLock()
        self._linker = linker
        self._warm = False  # warm_up() done
        self._program = program
        self._engine = Engine(program, record_proofs=record_proofs)
        self.min_relation_score = min_relation_score
        self.precision = precision  # of the linker's mention embeddings (and of an encoder loaded here)
        self.encoder_threshold: float | None = None  # the encoder's own relation threshold
        #: decide each sentence's types and predicates jointly (kgagent.joint) and let the rules repair
        self.joint = joint
        #: corpus memory (kgagent.memory.TypeMemory, read-only during a run) or None
        self.memory = memory
        #: ask the encoder for its near misses down to this score (None: none); they go to review
        self.near_miss_floor = near_miss_floor
        self._weights_from(program)
        self._signatures = Signatures(self.domain.ontology)
        #: predicates decided once per pair (the ontology's symmetric relations)
        self._symmetric = frozenset(n for n, rel in self.domain.ontology.relations.items() if rel.symmetric)
        if not isinstance(encoder, _LazyEncoder):
            self._check_labels(encoder)
            self._set_threshold(encoder)

    def _weights_from(self, program: Any, fallback: "Agent | None" = None) -> None:
        """The joint decision's weights: the rule files' ``threshold(same_name_weight, W)`` and
        ``threshold(memory_weight, W)``, else ``fallback``'s, else the defaults (the attributes
        may be set afterwards)."""
        from kgagent.thresholds import threshold_values

        values = threshold_values(program) if hasattr(program, "clauses") else {}
        #: weight (log units) of the other mentions of a name in the document in a mention's type
        self.same_name_weight = values.get("same_name_weight",
                                           fallback.same_name_weight if fallback else SAME_NAME_WEIGHT)
        #: weight (log units) of the corpus memory's votes in a mention's type
        self.memory_weight = values.get("memory_weight", fallback.memory_weight if fallback else MEMORY_WEIGHT)
        #: a link this sure tells the mention's kind (the rule files' ``threshold(link_trusted, T)``):
        #: a short name the graph knows so as another kind takes no full name's evidence
        self.link_trusted = values.get("link_trusted", fallback.link_trusted if fallback else LINK_TRUSTED)

    def _check_labels(self, encoder: Any) -> None:
        """Refuse an encoder whose labels the domain's label map cannot translate (KGA606)."""
        cfg = getattr(encoder, "config", None)
        name = str(getattr(encoder, "name_or_path", None) or getattr(encoder, "path", None) or "the model")
        self.domain.check_model_labels(getattr(cfg, "entity_labels", ()), getattr(cfg, "relation_labels", ()),
                                       f"the model {name}")

    def _set_threshold(self, encoder: Any) -> None:
        """Remember the encoder's own relation threshold (tuned for F1 without rules) in
        ``encoder_threshold``; the encoder itself is never modified."""
        cfg = getattr(encoder, "config", None)
        if cfg is None or not hasattr(cfg, "relation_threshold"):
            return
        if self.encoder_threshold is None:
            self.encoder_threshold = float(cfg.relation_threshold)

    def _propose_options(self, encoder: Any) -> dict[str, Any]:
        """``relation_threshold`` for ``encoder.propose`` so the rules see relations down to
        ``min_relation_score``, and ``near_miss_floor`` when set, where the encoder takes them
        (kgagent's Encoder does)."""
        try:
            params = inspect.signature(encoder.propose).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            return {}
        out: dict[str, Any] = {}
        if self.min_relation_score is not None and self.encoder_threshold is not None and "relation_threshold" in params:
            out["relation_threshold"] = min(self.encoder_threshold, float(self.min_relation_score))
        if self.near_miss_floor is not None and "near_miss_floor" in params:
            out["near_miss_floor"] = float(self.near_miss_floor)
        return out

    def model_facts(self) -> dict[str, set[tuple]]:
        """``model_threshold(relation, T)``: the encoder's own relation threshold (0.5 if unknown)."""
        t = self.encoder_threshold if self.encoder_threshold is not None else DEFAULT_MODEL_THRESHOLD
        return {"model_threshold": {("relation", round_score(t))}}

    # ------------------------------------------------------------------ construction
    @classmethod
    def load(cls, model: Any = None, kg: Any = None, rules: Any = None, *, domain: Any = None, linker: Any = None,
             batch_size: int = 32, min_relation_score: float | None = DEFAULT_MIN_RELATION_SCORE,
             precision: str = "auto", joint: bool = True, memory: Any = None,
             near_miss_floor: float | None = None) -> "Agent":
        """An agent from a domain folder, or from a model directory, a graph directory/file and
        a rules directory.

        ``domain`` is a domain folder (or a loaded Domain; None = the default news domain); it
        gives the ontology, the label map and the defaults for the rest: ``None`` for ``model``,
        ``kg`` or ``rules`` means the domain's own (its model/, graph/ and its rule files after
        the shared rules). Each may also be an already loaded object: an Encoder (anything with
        ``propose``), a KnowledgeGraph, a rules Program (used as it is). A rules path replaces
        the domain's own rule files; the shared rules are read first when the domain uses them.
        The domain's ontology is written into the graph (RDFS/OWL), and a model whose labels the
        domain cannot map is refused (KGA606).

        ``min_relation_score`` lowers the encoder's relation threshold (for this agent's calls
        only: the encoder is not modified) so the rules see less certain proposals too (they may
        accept those the graph confirms, and review or reject the rest); None keeps the encoder's
        own. The encoder's own threshold reaches the rules as ``model_threshold(relation, T)``. ``joint``
        decides each sentence's types and predicates together under the ontology (kgagent.joint) and
        lets the rules repair labels; ``memory`` (a kgagent.memory.TypeMemory) adds the corpus's type
        votes. ``near_miss_floor`` asks the encoder for the spans it nearly proposed (its best type
        scoring at least this, below "no entity"): each becomes a ``near_miss`` fact, which the
        shared rules send to review, so that a person can add a mention the encoder missed.
        ``precision`` is the arithmetic of
        the encoder when it is loaded here and of the linker's mention embeddings (auto: bfloat16
        where the hardware makes it the faster).
        Raises RuleError (KGA1xx) if the rules have errors, GraphError, EncoderError, DomainError;
        EncoderError KGA308 for a ``batch_size`` that is no whole number >= 1, InputError KGA419 for
        a score bound outside [0, 1] (NaN included) or a part that is neither a path nor an object
        of its kind.
        """
        from kgagent.errors import EncoderError
        from kgagent.kg import KnowledgeGraph
        _check_parts(model, kg, rules, linker)
        _check_settings(batch_size, min_relation_score, near_miss_floor)
        if precision not in PRECISIONS:
            raise EncoderError(f"precision must be one of {', '.join(PRECISIONS)}, not {precision!r}", code="KGA307")
        dom = domain if isinstance(domain, Domain) else Domain.load(domain)
        if rules is None or isinstance(rules, (str, Path)):
            rules_path, program = load_agent_rules(dom, rules)
        else:
            rules_path, program = None, _checked_thresholds(rules)
        if kg is None or isinstance(kg, (str, Path)):
            if kg is not None and not Path(kg).exists():
                raise InputError(f"no such graph directory or file: {kg}", code="KGA409")
            source = Path(kg) if kg is not None else dom.graph
            kg = KnowledgeGraph.load(source) if source is not None and source.exists() else KnowledgeGraph()
        kg.add_ontology(dom.ontology)
        if isinstance(model, (str, Path)) and not Path(model).is_dir():
            raise EncoderError(f"no such model directory: {model}", code="KGA302")
        if model is None or isinstance(model, (str, Path)):
            # loaded on first extract: validate() needs no encoder, nor a domain with a model
            model = _LazyEncoder(Path(model) if model is not None else None, dom, precision)
        return cls(model, kg, program, domain=dom, linker=linker, rules_path=rules_path, batch_size=batch_size,
                   min_relation_score=min_relation_score, precision=precision, joint=joint, memory=memory,
                   near_miss_floor=near_miss_floor)

    @property
    def encoder(self) -> Any:
        """The encoder (the shipped one is loaded on first use)."""
        enc = self._encoder
        if isinstance(enc, _LazyEncoder):
            with self._lock:
                if isinstance(self._encoder, _LazyEncoder):
                    loaded = self._encoder.load()
                    self._check_labels(loaded)
                    self._set_threshold(loaded)
                    self._encoder = loaded
                enc = self._encoder
        return enc

    def warm_up(self) -> None:
        """Load what is loaded lazily (encoder, linker, its embedding model) now, not in the first
        document. Once: a second call (``kgagent extract`` warms up before ``run_extraction`` does)
        returns at once."""
        if self._warm:
            return
        encoder = self.encoder
        encoder.propose(["Warm-up sentence for kgagent ."], **self._propose_options(encoder))  # first-call costs
        with self._lock:
            self.linker.link([("kgagent warm-up", None)])
            embed = getattr(self.linker, "embed", None)
            if embed is not None:
                embed(["kgagent warm-up"])  # loads the mention embedder (an alias hit needs none)
        self._warm = True

    @property
    def linker(self) -> Any:
        """The entity linker over ``kg`` (built on first use)."""
        with self._lock:
            if self._linker is None:
                graph = self.domain.graph
                seed = graph / "index" if graph is not None and graph.is_dir() else None
                # bfloat16 embeddings (WebNLG top-1 0.925 and N3 NIL P/R unchanged, ~1.5x faster); under
                # auto the linker asks the CPU on its first embedding (a name found by alias needs no torch)
                bfloat16 = cpu_has_bfloat16 if self.precision == "auto" else self.precision == "bfloat16"
                self._linker = self.kg.linker(bfloat16=bfloat16, seed_index_dir=seed,
                                              **self.domain.linker_options())
            return self._linker

    @property
    def program(self) -> Any:
        return self._program

    def reload_rules(self, path: str | Path | None = None) -> None:
        """Re-read the rule files (``path`` or the directory the agent was loaded with).

        The model and the graph stay loaded. If the new rules have errors, RuleError is raised
        and the agent keeps its old rules.
        """
        from kgagent.rules import Engine

        if path is None and self.rules_path is None:
            raise InputError("this agent was given a Program, not a rules directory: pass path=", code="KGA408")
        target, program = load_agent_rules(self.domain, path) if path is not None else \
            (self.rules_path, _load_checked(self.domain, self.rules_path))
        engine = Engine(program, record_proofs=self.record_proofs)
        with self._lock:
            self._program, self._engine, self.rules_path = program, engine, target
            self._weights_from(program)

    def with_rules(self, program: Any, *, encoder: Any = None, linker: Any = None) -> "Agent":
        """Another agent with the rules ``program`` (a loaded Program) and everything else of this
        one: its graph, linker, domain and options, and its encoder (or ``encoder``: one that
        proposes as this one's does, such as kgagent.tuning.ProposalCache; ``linker`` likewise,
        such as kgagent.tuning.LinkCache). The joint decision's weights are the new rules' where
        they set them (``threshold(same_name_weight, W)``), else this agent's. The two share the
        graph: extract with ``update_graph=False`` to compare rules on the same graph."""
        other = Agent(encoder if encoder is not None else self.encoder, self.kg, program, domain=self.domain,
                      linker=linker if linker is not None else self.linker, batch_size=self.batch_size,
                      record_proofs=self.record_proofs, min_relation_score=self.min_relation_score,
                      precision=self.precision, joint=self.joint, memory=self.memory,
                      near_miss_floor=self.near_miss_floor)
        other.encoder_threshold = self.encoder_threshold if other.encoder_threshold is None else other.encoder_threshold
        other._weights_from(program, fallback=self)
        return other

    # ------------------------------------------------------------------ extraction
    def extract(self, data: str | Document | Iterable[str | Document], *,
                update_graph: bool = True) -> list[DocumentResult]:
        """Extract from a text, a Document, or an iterable of them; one result per document.

        Plain strings get the id ``doc-<n>`` (n = position, 1-based) unless they are Documents.
        With ``update_graph`` the accepted entities and facts are added to ``agent.kg``.
        Every document is checked before the first is extracted: InputError KGA410 for what is
        no document (see :meth:`iter_extract`), KGA406 for an id given twice with different texts.
        """
        docs = list(_checked_documents(_documents(data)))
        seen: dict[str, str] = {}
        for doc in docs:
            digest = text_hash(doc.text)
            if seen.setdefault(doc.id, digest) != digest:
                raise InputError(f"duplicate document id {doc.id!r} (two documents with other texts have it)",
                                 code="KGA406")
        return list(self.iter_extract(docs, update_graph=update_graph))

    def iter_extract(self, docs: str | Document | Iterable[str | Document], *,
                     update_graph: bool = False) -> Iterator[DocumentResult]:
        """Stream results: documents are read, proposed in batches, decided and yielded one by one.

        ``docs`` is what :meth:`extract` takes, read as the results are asked for (memory stays
        flat: ids are not remembered, so an id given twice is not refused here as by
        :meth:`extract`). InputError KGA410 for what is no document (an item of another type, a
        Document whose id is not a non-empty string or whose text is not a string UTF-8 can
        hold, an id or a text holding a NUL character), when it is reached."""
        for group in _batches(_checked_documents(_documents(docs)), self.batch_size):
            proposals, seconds = self._propose(group)
            n_sent = sum(len(s) for _, s in group) or 1
            candidates, offset = [], 0
            for doc, spans in group:
                candidates.append(document_candidates(doc, spans, proposals[offset: offset + len(spans)],
                                                      self.domain.labels.normalize, self._symmetric))
                offset += len(spans)
            prefetch = self._prefetch([m for mentions, *_ in candidates for m in mentions])
            n_mentions = sum(len(mentions) for mentions, *_ in candidates) or 1
            items = [(doc, spans, *cands) for (doc, spans), cands in zip(group, candidates)]
            # a session decides each document against the graph the ones before it changed: one
            # at a time; against a snapshot, the rules take the group at once
            results = (self._decide(*item) for item in items) if update_graph else iter(self._decide_group(items))
            for (doc, spans, mentions, *_), result in zip(items, results):
                result.timings = {"encoder": seconds * len(spans) / n_sent, **result.timings}
                result.timings["linking"] += prefetch * len(mentions) / n_mentions
                if update_graph:
                    self.commit(result)
                yield result

    def process(self, doc: Document | str) -> DocumentResult:
        """Decisions and graph delta of one document against the current snapshot (no write)."""
        if not isinstance(doc, (Document, str)):
            raise InputError(f"process() takes one Document (or a string), not {_kind(doc)}", code="KGA410")
        return next(self.iter_extract([doc], update_graph=False))

    def commit(self, result: DocumentResult) -> None:
        """Add a document's accepted entities and facts to ``agent.kg`` (idempotent), and its new
        entities' names to the linker when it is loaded, so that the session's later documents
        that name them link to them (by name, never by similarity alone)."""
        if not isinstance(result, DocumentResult):
            raise InputError(f"commit() takes a DocumentResult (of process()), not {_kind(result)}", code="KGA419")
        with self._lock:
            result.delta.apply(self.kg)
            linker = self._linker
            if linker is not None and hasattr(linker, "add_entities"):  # (their names, once each)
                named = [e.iri for e in result.delta.entities] + [i for i, r in result.delta.mentions if r.alias]
                linker.add_entities(list(dict.fromkeys(named)), by_name_only=True)

    def add_graphs(self, files: Sequence[str | Path], *, reviews: bool = True) -> Any:
        """Add graph files to ``agent.kg`` in memory (nothing is saved): an extraction's output
        directory or graph.nq, without what reviewers rejected, its entities made twins of the
        graph's own (``kgagent.graph_merge``), so that claims are checked against what a corpus
        said too. The linker learns the new entities' names as extraction does (by name, never by
        similarity; the index stays as it is). Returns the ``MergeReport``."""
        from kgagent.graph_merge import merge_graph_files

        files = _paths_given(files, "add_graphs()", "graph files or output directories")
        linker = self.linker  # made before the graph grows: its index stays the graph's own
        with self._lock:
            report = merge_graph_files(self.kg, files, reviews=reviews, kinds=self.domain.kinds)
            if hasattr(linker, "add_entities") and report.new_entities:
                linker.add_entities(report.new_entities, by_name_only=True)
        return report

    def _propose(self, group: list[tuple[Document, list[tuple[int, int]]]]) -> tuple[list[SentenceProposals], float]:
        """The sentences of a group of documents -> one batched encoder call (and its seconds)."""
        texts = [doc.text[s:e] for doc, spans in group for s, e in spans]
        encoder = self.encoder  # loads the model on first use, outside the timed part
        t0 = time.perf_counter()
        options = self._propose_options(encoder)
        proposals = list(encoder.propose(texts, batch_size=self.batch_size, **options)) if texts else []
        if len(proposals) != len(texts):
            raise InputError(f"the encoder returned {len(proposals)} results for {len(texts)} sentences",
                             code="KGA410")
        return proposals, time.perf_counter() - t0

    def _prefetch(self, mentions: list[MentionResult]) -> float:
        """Embed a group's mentions for the linker in one batch (its seconds): documents are then
        linked one by one, in order, as before, but find their mention vectors cached."""
        prefetch = getattr(self.linker, "prefetch", None) if mentions else None
        if prefetch is None:
            return 0.0
        t0 = time.perf_counter()
        with self._lock:
            prefetch([(m.text, m.label) for m in mentions])
        return time.perf_counter() - t0

    # ------------------------------------------------------------------ one document
    def _decide(self, doc: Document, spans: list[tuple[int, int]], mentions: list[MentionResult],
                relations: list[RelationResult],
                pair_scores: dict[tuple[str, str], dict[str, float]] | None = None,
                near_misses: Sequence[MentionResult] = ()) -> DocumentResult:
        """One document's decisions."""
        return self._decide_group([(doc, spans, mentions, relations, pair_scores, near_misses)])[0]

    def _decide_group(self, items: Sequence[tuple]) -> list[DocumentResult]:
        """Documents' decisions (each item: document, sentence spans, mentions, relations, pair
        scores, near misses), the rules evaluated on all their facts at once
        (:func:`kgagent.rules.documents.evaluate_documents`: each document's model as if alone, so
        the same decisions and proofs as one at a time, without the rules' fixed cost per document
        each time). Each document is linked and jointly decided on its own, before."""
        with self._lock:
            engine = self._engine
        todo = [self._start(*item) for item in items]
        models = self._evaluate(engine, todo)
        # a mention the rules retype was linked under its old class ("Richardson" the city, now a
        # person): link it again under the new one and decide again (the repair itself stands:
        # the joint facts it rests on do not change)
        again = [i for i, (d, model) in enumerate(zip(todo, models)) if self._relink_retyped(d, model)]
        if again:
            for i, model in zip(again, self._evaluate(engine, [todo[i] for i in again])):
                models[i] = model
        return [self._finish(d, model) for d, model in zip(todo, models)]

    def _start(self, doc: Document, spans: list[tuple[int, int]], mentions: list[MentionResult],
               relations: list[RelationResult], pair_scores: dict[tuple[str, str], dict[str, float]] | None,
               near_misses: Sequence[MentionResult]) -> "_Deciding":
        """A document linked and jointly decided, its facts ready for the rules."""
        sentences = [doc.text[s:e] for s, e in spans]
        t0 = time.perf_counter()
        with self._lock:
            graph = self._link(mentions, [m.label for m in mentions])
        t1 = time.perf_counter()
        d = _Deciding(doc, mentions, relations, pair_scores or {}, near_misses, sentences,
                      [i for i, text in enumerate(sentences) if dateline_alone(text)],
                      self._name_parts(mentions), graph, linking=t1 - t0)
        if self.joint:  # its time counts as the rules' (it is part of deciding)
            d.jfacts, d.notes, d.undecided = self._joint_facts(mentions, relations, d.pair_scores, graph, d.parts)
        d.rules = time.perf_counter() - t1
        return d

    def _evaluate(self, engine: Any, todo: list["_Deciding"]) -> list[Any]:
        """The rules' model of each document (evaluated together; the time shared evenly)."""
        from kgagent.rules.documents import evaluate_documents

        t0 = time.perf_counter()
        models = evaluate_documents(engine, [self._facts(d.doc, d.mentions, d.relations, d.pair_scores, d.graph,
                                                         d.jfacts, d.near_misses, d.parts, d.datelines)
                                             for d in todo])
        share = (time.perf_counter() - t0) / max(len(todo), 1)
        for d in todo:
            d.rules += share
        return models

    def _relink_retyped(self, d: "_Deciding", model: Any) -> bool:
        """Link again, under their new class, the linked mentions the rules retyped; whether any."""
        retyped = _fact_map(model, "retype")
        stale = {m.id for m in d.mentions if m.id in retyped and m.link is not None and not m.link.is_nil}
        if not stale:
            return False
        t0 = time.perf_counter()
        with self._lock:
            d.graph = self._link(d.mentions, [retyped.get(m.id, m.label) for m in d.mentions], only=stale)
        d.linking += time.perf_counter() - t0
        return True

    def _finish(self, d: "_Deciding", model: Any) -> DocumentResult:
        """A document's decisions from its rules' model."""
        t0 = time.perf_counter()
        doc, mentions, relations, near_misses, sentences = d.doc, d.mentions, d.relations, d.near_misses, d.sentences
        by_id = {m.id: m for m in mentions}
        # names for the ids a proof may show: graph entities, and the sentence's other mentions and
        # relations ("Algeria contains Mohammadia", not "contains m:cc34...")
        names = _Names(self._graph_labels(d.graph), {m.id: m.text for m in mentions},
                       {r.id: relation_name(r.predicate, by_id[r.head].text, by_id[r.tail].text) for r in relations})
        ids = [m.id for m in mentions] + [r.id for r in relations] + [m.id for m in near_misses]
        found = verdicts(model, ids)
        repairs = self._apply_repairs(model, mentions, relations)
        relinks = self._apply_relinks(model, mentions)
        unlinks = self._apply_unlinks(model, mentions)
        self._apply_new_entity_in(model, mentions)
        same = self._apply_same_entity(model, mentions, found, d.parts)
        decisions: list[Decision] = []
        for m in mentions:
            decisions.append(self._decision(model, found[m.id], "entity", m.id, doc.id, m.sentence, m.score,
                                            m.label, m.model_label, sentences[m.sentence], names, mention=m,
                                            repair=repairs.get(m.id), notes=_notes(d.undecided.get(m.id)),
                                            unlink=unlinks.get(m.id), relink=relinks.get(m.id),
                                            same_as=same.get(m.id), scores=dict(m.class_scores)))
        for r in relations:
            decisions.append(self._decision(model, found[r.id], "relation", r.id, doc.id, r.sentence, r.score,
                                            r.predicate, r.model_label, sentences[r.sentence], names,
                                            head=by_id[r.head], tail=by_id[r.tail], repair=repairs.get(r.id),
                                            notes=_notes(d.undecided.get((r.head, r.tail))),
                                            scores=dict(d.pair_scores.get((r.head, r.tail), {}))))
        for m in near_misses:
            decisions.append(self._decision(model, found[m.id], "entity", m.id, doc.id, m.sentence, m.score,
                                            m.label, m.model_label, sentences[m.sentence], names, mention=m,
                                            scores=dict(m.class_scores)))
        firings = {k: v for k, v in model.rule_firings().items() if v}
        timings = {"linking": d.linking, "rules": d.rules + time.perf_counter() - t0}
        delta = graph_delta(doc.id, decisions)
        return DocumentResult(doc=doc.id, text_hash=text_hash(doc.text), sentences=sentences, mentions=mentions,
                              relations=relations, decisions=decisions, delta=delta, timings=timings,
                              rule_firings=firings, notes=d.notes)

    def _name_parts(self, mentions: list[MentionResult]) -> list[tuple[str, str, str]]:
        """The document's :func:`~kgagent.names.name_parts`, with the ontology's ``name_suffixes``."""
        return list(name_parts(mentions, self.domain.ontology.name_suffixes))

    def _link(self, mentions: list[MentionResult], labels: list[str],
              only: set[str] | None = None) -> dict[str, set[tuple]]:
        """Link the mentions (``only`` those of these ids, when given) under ``labels`` (one per
        mention) and return the graph's rule facts around every mention's candidates. Call under
        the lock."""
        todo = [(m, lab) for m, lab in zip(mentions, labels) if only is None or m.id in only]
        links = self.linker.link([(m.text, lab) for m, lab in todo]) if todo else []
        if self.linker.by_name and len(links) > 1:  # a document's places choose among namesakes
            links = self.linker.cohere(links)
        for (m, lab), link in zip(todo, links):
            m.link = link
            m.entity = link.entity if not link.is_nil else new_entity_iri(m.text, lab)
        linked = sorted({e for m in mentions if m.link is not None for e, _ in candidates_of(m.link)})
        return self.kg.rule_facts(linked) if mentions else {}

    def _facts(self, doc: Document, mentions: list[MentionResult], relations: list[RelationResult],
               pair_scores: dict[tuple[str, str], dict[str, float]] | None, graph: dict[str, set[tuple]],
               jfacts: dict[str, set[tuple]], near_misses: Sequence[MentionResult] = (),
               parts: Sequence[tuple[str, str, str]] | None = None,
               datelines: Iterable[int] = ()) -> dict[str, set[tuple]]:
        """Every fact the rules read for a document: base, model, graph, domain and joint facts,
        and the near misses (``near_miss(M, C, S)``, with their text and place); ``parts``: the
        document's :func:`~kgagent.names.name_parts`, when the caller has them; ``datelines``: the
        sentences that are a dateline alone (``dateline(Doc, Sentence)``)."""
        facts = base_facts(doc, mentions, relations, pair_scores,
                           parts if parts is not None else self._name_parts(mentions))
        facts["dateline"].update((doc.id, i) for i in datelines)  # "BALTIMORE (AP) --" (text.dateline_alone)
        suffixes = self.domain.ontology.name_suffixes  # "Ltd" alone: a word that ends names (names.rules)
        facts["name_suffix"].update((m.id,) for m in mentions if suffixes and only_suffix(m.text, suffixes))
        endings = self.domain.ontology.derived_suffixes  # "Houston-based": a word made of a name and "-based"
        facts["derived_word"].update((m.id, found[1]) for m in mentions
                                     if endings and (found := derived_from(m.text, endings)) is not None)
        # "Carlo Fusco told the Associated Press": the ontology's cue words between two mentions
        facts["cue"].update(cue_facts(doc.text, mentions, relations, self.domain.ontology.cues))
        for m in near_misses:
            facts["near_miss"].add((m.id, m.label, m.score))
            place_facts(facts, m, doc.id, m.sentence)
        facts.update(self.model_facts())
        for source in (graph, self.domain.rule_facts(), jfacts):
            for pred, rows in source.items():
                facts[pred].update(rows)
        return facts

    def _joint_facts(self, mentions: list[MentionResult], relations: list[RelationResult],
                     pair_scores: dict[tuple[str, str], dict[str, float]], graph: dict[str, set[tuple]],
                     parts: Sequence[tuple[str, str, str]] | None = None
                     ) -> tuple[dict[str, set[tuple]], list[str], dict[Any, str]]:
        """The joint decision of each sentence (kgagent.joint) as base facts: ``joint_type``,
        ``joint_predicate``, ``joint_margin``, ``name_type`` (and ``type_votes`` from the memory), with notes on
        what it could not decide (in words, and per mention id or (head, tail) pair)."""
        from kgagent.joint import JointMention, JointPair, decide

        threshold = self.encoder_threshold if self.encoder_threshold is not None else DEFAULT_MODEL_THRESHOLD
        facts: dict[str, set[tuple]] = defaultdict(set)
        others = name_others(mentions, self.domain.ontology, self._sure_kind,
                             parts if parts is not None else self._name_parts(mentions))
        means = name_means(others)
        priors = name_priors(others, self.same_name_weight)
        for mid, row in means.items():  # the evidence of the name's other mentions, for the proofs
            facts["name_type"].update((mid, c, round_score(v)) for c, v in row.items() if v >= NAME_TYPE_FLOOR)
        if self.memory is not None:
            for m in mentions:
                votes = self.memory.votes(m)
                facts["type_votes"].update((m.id, c, n) for c, n in sorted(votes.items()))
                for c, bonus in self.memory.prior(votes, self.memory_weight, m.class_scores).items():
                    priors.setdefault(m.id, {})[c] = priors.get(m.id, {}).get(c, 0.0) + bonus
        proposed: dict[tuple[str, str], RelationResult] = {}
        for r in relations:  # the pair's best proposal speaks for it
            cur = proposed.get((r.head, r.tail))
            if cur is None or (r.score, r.predicate) > (cur.score, cur.predicate):
                proposed[(r.head, r.tail)] = r
        by_sentence: dict[int, list[MentionResult]] = defaultdict(list)
        for m in mentions:
            by_sentence[m.sentence].append(m)
        sentence_of = {m.id: m.sentence for m in mentions}
        pairs_of: dict[int, list[tuple[tuple[str, str], dict[str, float]]]] = defaultdict(list)
        for (h, t), table in sorted(pair_scores.items()):  # each sentence's, read once (not per sentence)
            if h in sentence_of:
                pairs_of[sentence_of[h]].append(((h, t), table))
        relations_of: dict[int, list[RelationResult]] = defaultdict(list)
        for r in relations:
            if r.head in sentence_of:
                relations_of[sentence_of[r.head]].append(r)
        notes: list[str] = []
        undecided: dict[Any, str] = {}
        for si, ms in sorted(by_sentence.items()):
            jm = [JointMention(m.id, m.label, m.class_scores, priors.get(m.id, {})) for m in ms]
            jp = [JointPair(h, t, table, proposed[(h, t)].predicate if (h, t) in proposed else None)
                  for (h, t), table in pairs_of[si]]
            res = decide(jm, jp, self.domain.ontology, threshold=threshold, signatures=self._signatures)
            notes += [f"sentence {si}: {u}" for u in res.undecided]
            undecided.update(res.undecided_ids)
            for m in ms:
                c = res.types[m.id]
                facts["joint_type"].add((m.id, c, round_score(m.class_scores.get(c, m.score if c == m.label else 0.0))))
                if m.id in res.margins:
                    facts["joint_margin"].add((m.id, round_score(res.margins[m.id])))
            for r in relations_of[si]:
                q = res.predicates.get((r.head, r.tail))
                if q is None or (q != r.predicate and proposed.get((r.head, r.tail)) is not r):
                    continue  # the pair's best proposal carries the pair's choice
                facts["joint_predicate"].add((r.id, q, round_score(pair_scores.get((r.head, r.tail), {}).get(q, 0.0))))
                if q != r.predicate and (r.head, r.tail) in res.margins:
                    facts["joint_margin"].add((r.id, round_score(res.margins[(r.head, r.tail)])))
        return facts, notes, undecided

    def _apply_repairs(self, model: Any, mentions: list[MentionResult],
                       relations: list[RelationResult]) -> dict[str, dict[str, Any]]:
        """Put the rules' repaired labels (``type_of``, ``predicate_of``) on the candidates;
        returns id -> {"kind", "from", "to", "margin"} for each one repaired."""
        margins = _fact_map(model, "joint_margin", float)
        out: dict[str, dict[str, Any]] = {}
        retyped, relabelled = _fact_map(model, "retype"), _fact_map(model, "relabel")
        for m in mentions:
            new = retyped.get(m.id)
            if new is None or new == m.label:
                continue
            out[m.id] = {"kind": "retype", "from": m.label, "to": new, "margin": margins.get(m.id)}
            m.repaired_from, m.label = m.label, new
            m.model_label = self._model_label(new, entity=True) or m.model_label
            if m.link is None or m.link.is_nil:
                m.entity = new_entity_iri(m.text, m.label)
        for r in relations:
            new = relabelled.get(r.id)
            if new is None or new == r.predicate:
                continue
            out[r.id] = {"kind": "relabel", "from": r.predicate, "to": new, "margin": margins.get(r.id)}
            r.predicate = new
            r.model_label = self._model_label(new, entity=False) or r.model_label
        return out

    def _apply_relinks(self, model: Any, mentions: list[MentionResult]) -> dict[str, dict[str, Any]]:
        """Link a mention to the graph entity the rules name instead of the linker's choice
        (``relink(M, E, Why)``: a domain's rules, e.g. the news domain's when the graph holds the
        relation the text states for another place of that name), when they name exactly one. Returns
        id -> {"entity", "label", "from": {"entity", "label"}, "reason", "rule", "proof"}."""
        facts = _fact_rows(model, "relink")
        out: dict[str, dict[str, Any]] = {}
        for m in mentions:
            rows = facts.get(m.id, [])
            if len({str(r[1]) for r in rows}) != 1 or m.link is None or m.link.is_nil:
                continue
            row = min(rows, key=lambda r: str(r[2]))
            target = str(row[1])
            old = _linked_to(m)
            score = next((c.score for c in m.link.candidates if c.entity == target), m.link.score)
            proof = label_sources(model.proof("relink", row)) if self.record_proofs else None
            m.link = replace(m.link, entity=target, score=score)
            m.entity = target
            label = m.entity_label or self._label_of(target) or target
            if label == old["label"]:  # namesakes ("Salem" for "Salem"): say where each is
                label, old = self._where_label(target, label), {**old, "label": self._where_label(old["entity"],
                                                                                                     old["label"])}
            m.relinked_from = old
            out[m.id] = {"entity": target, "label": label, "from": old,
                         "reason": str(row[2]), "rule": proof.rule if proof else None, "proof": proof}
        return out

    def _where_label(self, iri: str, label: str) -> str:
        """An entity's label with what tells it from its namesakes: the graph's nearest fact about
        it in the ontology's words ("Salem (lies in Oregon)", not "Salem (lies in United States)",
        which Oregon lies in); the bare label when the graph has none."""
        facts = self.kg.rule_facts([iri], depth=2)
        names = {str(e): str(n) for e, n in facts.get("label", ())}
        relations = self.domain.ontology.relations
        out = [(p, str(o)) for s, p, o in facts.get("triple", ()) if s == iri and p in relations and str(o) in names]
        objects = {o for _, o in out}
        nearest = [(p, o) for p, o in out  # not an object that another object points to (the country of the state)
                   if not any(s in objects and s != o and str(o2) == o for s, _, o2 in facts.get("triple", ()))]
        if not nearest:
            return label
        p, o = min(nearest, key=lambda po: (po[0], names[po[1]]))
        return f"{label} ({relations[p].label} {names[o]})"

    def _apply_new_entity_in(self, model: Any, mentions: list[MentionResult]) -> None:
        """A mention left without a link (NIL or unlinked) that the rules place in exactly one graph
        entity (``new_entity_in(M, E)``: the news domain's geography.rules for a place the encoder
        is sure lies in a linked one) becomes the new entity of its name *in* that one."""
        within = _fact_rows(model, "new_entity_in")
        for m in mentions:
            places = {str(row[1]) for row in within.get(m.id, ())}
            if len(places) == 1 and (m.link is None or m.link.is_nil):
                m.entity = new_entity_iri(m.text, m.label, within=next(iter(places)))

    def _apply_same_entity(self, model: Any, mentions: list[MentionResult], found: dict[str, dict[str, Any]],
                           parts: Sequence[tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
        """Make an accepted mention the entity of the accepted full name the rules say it shortens
        (``same_entity(M, Full, Why)``: the shared names.rules, "Ottinger" for "James Ottinger"),
        when their full names name exactly one entity; it takes the full name's link too, and its
        ``short_for`` says which part of the full name it is (``part``: "last", "initials"...: of
        ``parts``, the document's name parts, the one the ontology lets its class use). Returns
        id -> {"mention", "text", "entity", "reason", "rule", "proof"} and, when the mention was linked
        to another graph entity, "from": {"entity", "label"}."""
        by_id = {m.id: m for m in mentions}
        accepted = {x for x, v in found.items() if v["verdict"] in ACCEPTING}
        rows = {mid: [r for r in rs if str(r[1]) in by_id and str(r[1]) in accepted]
                for mid, rs in _fact_rows(model, "same_entity").items() if mid in accepted}
        places: dict[tuple[str, str], set[str]] = defaultdict(set)  # (part, full) -> where
        for part, full, where in parts:
            places[(part, full)].add(where)
        out: dict[str, dict[str, Any]] = {}
        # longer names first, so that a full name that is itself part of a longer one ("John Smith"
        # of "Mr. John Smith") has its final entity when its own parts ("Smith") are decided
        for mid, rs in sorted(rows.items(), key=lambda kv: (-len(name_words(by_id[kv[0]].text)), kv[0])):
            fulls = sorted((by_id[str(r[1])] for r in rs), key=lambda f: (f.start, f.id))
            if not fulls or len({f.entity for f in fulls}) != 1:
                continue  # no full name accepted, or several entities ("Adams": James's or John's)
            m, full = by_id[mid], fulls[0]
            row = next(r for r in rs if str(r[1]) == full.id)
            proof = label_sources(model.proof("same_entity", row)) if self.record_proofs else None
            linked = m.link is not None and not m.link.is_nil and m.link.entity != full.entity
            was = {"from": _linked_to(m)} if linked else {}
            m.link, m.entity = full.link, full.entity
            where = next((w for w in self.domain.ontology.short_name_of(full.label) if w in places[(mid, full.id)]),
                         None)  # (the part the full name's class may be named by; same_entity needs one)
            m.short_for = {"mention": full.id, "text": full.text, **({"part": where} if where else {})}
            out[mid] = {"mention": full.id, "text": full.text, "entity": full.entity, "reason": str(row[2]),
                        "rule": proof.rule if proof else None, "proof": proof, **was}
        return out

    def _label_of(self, iri: str) -> str | None:
        """The graph label of an entity (None: the graph has no such entity)."""
        entity = self.kg.entity(iri)
        return entity.label if entity is not None else None

    def _apply_unlinks(self, model: Any, mentions: list[MentionResult]) -> dict[str, dict[str, Any]]:
        """Take away the links the rules deny (``unlink(M, Why)``: the shared types.rules for an
        unsure link to an entity of another kind than the mention's class, after repairs; a
        domain's rules for what else they know): the mention becomes a new entity of its class,
        its link NIL with the linker's candidates kept. Returns id -> {"entity", "label",
        "reason", "rule", "proof"} for each one."""
        why = _fact_map(model, "unlink")
        out: dict[str, dict[str, Any]] = {}
        for m in mentions:
            if m.id not in why or m.link is None or m.link.is_nil:
                continue
            was = _linked_to(m)
            proof = label_sources(model.proof("unlink", (m.id, why[m.id]))) if self.record_proofs else None
            out[m.id] = {**was, "reason": why[m.id], "rule": proof.rule if proof else None, "proof": proof}
            m.unlinked_from = was
            m.link = replace(m.link, entity=None, method="nil")
            m.entity = new_entity_iri(m.text, m.label)
        return out

    def _model_label(self, name: str, *, entity: bool) -> str | None:
        """The encoder's own label for an ontology name (what feedback writes), if it has one: the
        one :meth:`label_map` gives, as the review page offers it."""
        return self.label_map()["entity" if entity else "relation"].get(name)

    def _decision(self, model: Any, v: dict[str, Any], kind: str, subject: str, doc: str, sentence: int,
                  score: float, label: str, model_label: str, sentence_text: str,
                  names: _Names | None = None, **parts: Any) -> Decision:
        proof, rule, labels = None, None, {}
        if v["fact"] is not None and self.record_proofs:
            proof = label_sources(model.proof(*v["fact"]))
            rule = proof.rule
            if names:
                own = {subject} | {p.id for p in parts.values() if isinstance(p, MentionResult)}
                labels = _named_in(proof, names, own)
        if parts.get("unlink"):  # the entity the mention is not, named in its own proof
            labels[parts["unlink"]["entity"]] = parts["unlink"]["label"]
        if parts.get("same_as"):  # the full name, in its own proof
            labels[parts["same_as"]["mention"]] = parts["same_as"]["text"]
        if parts.get("relink"):  # the entities it was and is, named in its own proof
            labels[parts["relink"]["entity"]] = parts["relink"]["label"]
            labels[parts["relink"]["from"]["entity"]] = parts["relink"]["from"]["label"]
        return Decision(id=stable_id("d", kind, subject), doc=doc, sentence=sentence, kind=kind, subject=subject,
                        verdict=v["verdict"], reason=v["reason"], rule=rule, proof=proof, score=score, label=label,
                        model_label=model_label, others=v["others"], sentence_text=sentence_text, labels=labels,
                        **parts)

    def _graph_labels(self, graph: dict[str, set[tuple]]) -> dict[str, str]:
        """Labels of the graph entities in the ``triple`` facts the rules see (explanations name
        a neighbour the document never mentions, e.g. the country a linked city lies in)."""
        out: dict[str, str] = {}
        for row in graph.get("triple", ()):
            for iri in (str(row[0]), str(row[-1])):
                if iri not in out and (label := self._label_of(iri)) is not None:
                    out[iri] = label
        return out

    # ------------------------------------------------------------------ claims
    def validate(self, triples: Iterable[Any], *, places: Sequence[int | str] | None = None) -> list[ClaimResult]:
        """Check claims against the graph and the rules; one ClaimResult per claim.

        A claim is ``(head, predicate, tail)``, ``(head, predicate, tail, score)`` or a dict with
        ``head``, ``predicate``, ``tail`` and optionally ``score``, ``head_type``, ``tail_type``.
        The strings are linked to the graph by name, as the kind the claim makes them (the given
        type, else the kind the predicate's signature implies: in kill(Booth, Lincoln) "Lincoln" is
        a person, not the city, as an extracted mention tagged person is). A name the linker does
        not find, or finds by similarity alone, that documents gave exactly one new entity of that
        kind, as its label or a short name, "Ottinger" of James Ottinger, is that entity: a
        ``document_name`` link, so a claim about what extraction added is checked against it; a
        name documents gave several new entities is none of them. Argument labels are the given
        types, else what the predicate's signature implies (the claim says so), else the linked
        entity's kind. The rules see the extraction vocabulary plus ``claim(R)``; ``score(R, S)``
        only when a score is given (a claim is not a model's reading of a text, so by default it
        is accepted only when the graph confirms it, see rules/claims.rules). Each claim is a
        document of its own to the rules: claims checked together get the verdicts they would get
        one by one. Each claim is a decision of its own, whose id holds the claim and its place:
        its position in ``triples`` (1, 2, ...), or its item of ``places`` (say, the line of a file
        it was read from), so the same claim given twice is two decisions (one relation to the
        rules, so one verdict), and the same claims at the same places get the same ids again.
        InputError KGA411 for what is no claim (see :func:`~kgagent.claims.parse_claim`;
        the message names its place, "claim 3: ..."), one claim not in a list, a ``head_type`` /
        ``tail_type`` the ontology has no class for, and ``places`` that are not one whole number or
        string per claim.
        """
        if (isinstance(triples, (str, bytes, bytearray, dict)) or not isinstance(triples, Iterable)
                or (isinstance(triples, (tuple, list)) and triples and all(isinstance(x, str) for x in triples))):
            one = " (one claim: wrap it in a list)" if isinstance(triples, (tuple, list, dict)) else ""
            raise InputError(f"validate() takes an iterable of claims, not {_kind(triples)}{one}", code="KGA411")
        claims = []
        for i, c in enumerate(triples, 1):  # a bad one is named by its place: "claim 3 of the list"
            try:
                claims.append(parse_claim(c, self.domain.labels.normalize))
                check_claim_classes(claims[-1], self.domain.ontology.classes)
            except InputError as err:
                raise InputError(f"claim {i}: {err.message}", code=err.code) from None
        where = _claim_places(places, len(claims))
        if not claims:
            return []
        with self._lock:
            engine = self._engine
            ontology = self.domain.ontology
            sig = {r.name: (r.domain, r.range) for r in ontology.relations.values()}
            # what the claim makes each name: its given type, else the kind its predicate's signature
            # implies (None: neither); each name is linked, and labelled, as that
            made = [given or ontology.kind_of(implied)
                    for _, pred, _, _, ht, tt in claims for given, implied in zip((ht, tt), sig.get(pred, (None, None)))]
            links = self._link_names(list(zip((name for head, _, tail, *_ in claims for name in (head, tail)), made)))
            linked = sorted({e for lk in links for e, _ in candidates_of(lk)})
            graph = self.kg.rule_facts(linked)
            core = {lk.entity: self._kind(lk.entity) for lk in links if not lk.is_nil}
        facts: dict[str, set[tuple]] = defaultdict(set)
        rows = []
        for i, (head, pred, tail, score, ht, tt) in enumerate(claims):
            # what the claim says beyond its names (types, a score) is part of its id: two claims
            # of the same names but other types are two relations to the rules
            stated = [f"{k}={v}" for k, v in (("head_type", ht), ("tail_type", tt), ("score", score)) if v is not None]
            rid = stable_id("r", "claim", head, pred, tail, *stated)
            args = []
            for j, (role, text) in enumerate((("head", head), ("tail", tail))):
                link = links[2 * i + j]
                label = (made[2 * i + j] or (core.get(link.entity) if not link.is_nil else None)
                         or ontology.untyped or UNTYPED_LABEL)
                mid = stable_id("m", "claim", rid, role, text, label)
                m = MentionResult(id=mid, doc="claim", sentence=0, start=0, end=len(text), text=text, label=label,
                                  model_label=label, score=1.0, link=link,
                                  entity=link.entity if not link.is_nil else new_entity_iri(text, label))
                args.append(m)
            for m in args:  # each claim a document of its own to the rules: claims checked together are
                facts["mention"].add((m.id, m.label, 1.0))  # checked as if one by one
                mention_facts(facts, m, rid, 0)
            facts["relation"].add((rid, pred, args[0].id, args[1].id))
            if score is not None:
                facts["score"].add((rid, round_score(score)))
            facts["claim"].add((rid,))
            rows.append((rid, pred, args[0], args[1]))
        for pred, rs in graph.items():
            facts[pred].update(rs)
        for pred, rs in self.domain.rule_facts().items():
            facts[pred].update(rs)
        facts.update(self.model_facts())
        model = engine.evaluate(facts)
        found = verdicts(model, [r[0] for r in rows])
        out = []
        for (head, pred, tail, score, *_), (rid, p, hm, tm), place in zip(claims, rows, where):
            v = found[rid]
            proof = (label_sources(model.proof(*v["fact"]), CLAIM_SOURCES)
                     if v["fact"] is not None and self.record_proofs else None)
            # the claim's place is part of its decision's id: a claim given twice is two decisions
            did = stable_id("d", "claim", rid, "at", place)
            out.append(ClaimResult(claim=(head, pred, tail), id=did, verdict=v["verdict"],
                                   reason=v["reason"], rule=proof.rule if proof else None, proof=proof, head=hm,
                                   tail=tm, predicate=p, others=v["others"], score=score, relation=rid))
        return out

    def facts(self, head: str | None = None, predicate: str | None = None, tail: str | None = None, *,
              head_type: str | None = None, tail_type: str | None = None) -> FactsAnswer:
        """What the graph holds about names: the relations (``predicate``, or any) between the
        entity ``head`` names and the one ``tail`` names (None = any), each with where it came
        from: the curated graph, or the extraction's documents, sentences, scores and rules
        (``agent.extract`` with ``update_graph=True``, or :meth:`add_graphs`).

        A name is linked as a claim's is (:meth:`validate`): as the kind its type or the
        predicate's signature makes it, the graph's entity first, else the one new entity
        documents gave that name, and never an entity of another kind; the answer says how
        (``FactsAnswer.head`` / ``.tail``), and a name that links to nothing has no facts
        (``FactsAnswer.unknown``). A full IRI (``https://...``, ``urn:...``) is taken as it is. A
        symmetric predicate is read both ways.

        At least one of ``head``, ``predicate`` and ``tail`` must be given, as ``kgagent facts``
        asks: ``facts()`` (or only ``head_type`` / ``tail_type``, which say what kind a name is and
        filter nothing alone) would be every fact of the graph, which on a large graph is a mistake
        rather than a question; it raises InputError KGA417. To read the whole graph, use
        ``agent.kg.facts()`` (a :class:`~kgagent.kg.KnowledgeGraph` method) or a SPARQL query.

        Raises InputError KGA416 for a predicate or a type the ontology does not have, KGA417 for a
        question that names nothing (above), KGA419 for an argument that is neither None nor a
        non-empty string (``""`` is no name: it does not mean "any"), or a string holding a lone
        surrogate or a NUL character (U+0000), which no name holds (a corpus or a claim holding
        one is refused too).
        """
        from kgagent.kg.vocab import is_iri

        ontology = self.domain.ontology
        normalize = self.domain.labels.normalize
        for what, value in (("head", head), ("predicate", predicate), ("tail", tail), ("head_type", head_type),
                            ("tail_type", tail_type)):
            if value is None:
                continue
            if not isinstance(value, str):
                why = f"is {_kind(value)}"
            elif not value.strip():
                why = "is empty"
            elif not is_text(value):
                why = "holds a lone surrogate"
            elif (at := value.find("\x00")) >= 0:
                why = f"holds a NUL character (U+0000) at character {at}"
            else:
                continue
            raise InputError(f"{what} must be a non-empty string or None (any), not {value!r}: it {why}",
                             code="KGA419")
        if head is None and predicate is None and tail is None:
            raise InputError("ask about something: head, tail and/or predicate (head_type and tail_type only say "
                             "what kind a name is); facts() with none would be every fact of the graph (read those "
                             "with agent.kg.facts())", code="KGA417")
        for what, value in (("head_type", head_type), ("tail_type", tail_type)):
            if value is not None and normalize(value) not in ontology.classes:
                raise InputError(f"the ontology has no class {value!r} ({what}); it has "
                                 f"{', '.join(sorted(ontology.classes))}", code="KGA416")
        pred = normalize(predicate) if predicate else None
        if pred is not None and pred not in ontology.relations:
            raise InputError(f"the ontology has no relation {predicate!r}; it has "
                             f"{', '.join(sorted(ontology.relations))}", code="KGA416")
        rel = ontology.relations.get(pred) if pred else None
        asked = {"head": (head, head_type, rel.domain if rel else None),
                 "tail": (tail, tail_type, rel.range if rel else None)}
        with self._lock:
            links: dict[str, Link | None] = {"head": None, "tail": None}
            queries = [(role, text.strip(), ontology.kind_of(normalize(given) if given else implied))
                       for role, (text, given, implied) in asked.items() if text is not None and text.strip()]
            by_name = [(role, text, kind) for role, text, kind in queries if not is_iri(text)]
            for (role, _, kind), lk in zip(by_name, self._link_names([(t, k) for _, t, k in by_name])):
                if kind is not None and not lk.is_nil and self._kind(lk.entity) not in (None, kind):
                    lk = replace(lk, entity=None, score=0.0, method="nil")  # "Lincoln" the person is not the city
                links[role] = lk
            for role, text, _ in queries:
                if is_iri(text):  # the entity itself, with its label and types as a linked name's candidate has
                    ent = self.kg.entity(text)
                    links[role] = Link(mention=text, entity=text if ent else None, score=1.0 if ent else 0.0,
                                       method="iri" if ent else "nil",
                                       candidates=[Candidate(text, ent.label, 1.0, ent.types)] if ent else [])
            h, t = links["head"], links["tail"]
            if any(lk is not None and lk.is_nil for lk in (h, t)):
                return FactsAnswer(head=h, predicate=pred, tail=t)
            found = self.kg.facts(h.entity if h else None, pred, t.entity if t else None)
            if rel is not None and rel.symmetric:
                found += [f for f in self.kg.facts(t.entity if t else None, pred, h.entity if h else None)
                          if f not in found]
        return FactsAnswer(head=h, predicate=pred, tail=t, facts=found)

    def _link_names(self, queries: list[tuple[str, str | None]]) -> list[Link]:
        """Names given by a caller (a claim's, a question's), each with the kind it is asked as:
        linked as mentions of that kind, else to the one new entity documents gave the name
        (:meth:`_by_document_name`). Under the lock."""
        return [self._by_document_name(text, lk, kind) for (text, kind), lk in zip(queries, self.linker.link(queries))]

    def _by_document_name(self, text: str, link: Link, kind: str | None = None) -> Link:
        """``link``, or, when it is NIL or found by similarity alone, the one new entity documents
        gave the name ``text`` (its label, or a short name ``same_entity`` joined to it:
        ``KnowledgeGraph.entities_named_in_documents``; "Ottinger" is more like "James Ottinger"
        than like anything else the linker knows, but the document said so) and, when the claim
        makes the name of a ``kind`` (a class), one of that kind, as the linker's candidates of
        documents' entities are ("Winterset" the town is not the person a document made of it);
        ``link`` when none; NIL when documents gave the name to several, the linked one among them."""
        hits = self.kg.entities_named_in_documents(text)
        want = self.domain.ontology.kind_of(kind) if kind else None
        if want is not None:
            hits = frozenset(h for h in hits if self._kind(h) in (None, want))
        if len(hits) > 1 and link.entity in hits:  # "Ottinger" the company, and James Ottinger's short name
            return replace(link, entity=None, score=0.0, method="nil")
        if len(hits) != 1 or (not link.is_nil and link.method != "index"):
            return link
        (iri,) = hits
        label = self._label_of(iri) or iri
        return Link(mention=text, entity=iri, score=1.0, method="document_name",
                    candidates=[Candidate(iri, label, 1.0, tuple(sorted(self.kg.entity_types(iri))))])

    def _sure_kind(self, m: MentionResult) -> str | None:
        """The kind of the graph entity a mention is linked to at least ``link_trusted``, if any."""
        if m.link is None or m.link.is_nil or m.link.score < self.link_trusted:
            return None
        return self._kind(m.link.entity)

    def _kind(self, iri: str) -> str | None:
        """The kind (a root class of the domain's ontology) of a graph entity, if it has one."""
        types = self.kg.entity_types(iri, closure=True)
        for c in self.domain.ontology.kinds:
            if c in types:
                return c
        return None

    # ------------------------------------------------------------------ runs with an output directory
    def extract_to(self, documents: Iterable[Document] | Iterable[str | Path], out: str | Path, *,
                   overwrite: bool = False, progress: Any = None, total: int | None = None,
                   commit_docs: int | None = None) -> Any:
        """Extract a corpus into ``out`` (decisions.jsonl, graph.nq, feedback.jsonl, progress),
        resumably: documents already finished there are skipped. Returns the RunSummary.
        Finished documents are committed in groups of ``commit_docs`` at most (None: the
        default, ``kgagent.output.FLUSH_DOCS``; 1: each on its own, see kgagent.output).

        ``documents`` are Documents, or corpus paths (read with :func:`kgagent.corpus.read_corpus`).
        The graph is a frozen snapshot during the run (``agent.kg`` is not changed); the output
        graph holds what each document added, in one named graph per document.
        """
        from kgagent.output import FLUSH_DOCS, run_extraction

        return run_extraction(self, documents, out, overwrite=overwrite, progress=progress, total=total,
                              commit_docs=FLUSH_DOCS if commit_docs is None else commit_docs)

    def label_map(self) -> dict[str, dict[str, str]]:
        """The encoder's labels as the ontology names them: ``{"entity": {class: model label},
        "relation": {predicate: model label}}`` (where several model labels share a name, the first
        in sorted order). What a reviewer may choose and how feedback writes it back. An encoder
        not loaded yet stays so: its labels are read from the model's config.json."""
        enc = self._encoder
        if isinstance(enc, _LazyEncoder):
            from kgagent.encoder.pretrained import read_model_config

            enc = read_model_config(enc.directory())
        normalize = self.domain.labels.normalize
        cfg = getattr(enc, "config", None)
        out: dict[str, dict[str, str]] = {}
        for kind in ("entity", "relation"):
            labels = getattr(enc, f"{kind}_labels", None) or getattr(cfg, f"{kind}_labels", None) or ()
            names: dict[str, str] = {}
            for lab in sorted(labels):
                names.setdefault(normalize(lab), lab)
            out[kind] = dict(sorted(names.items()))
        return out

    def fingerprint(self) -> dict[str, str]:
        """What a run's outputs depend on: rules text, model and graph identity."""
        program = self._program
        rules = hashlib.sha1("\x1f".join(f"{Path(k).name}\x1e{v}" for k, v in sorted(getattr(program, "sources", {}).items()))
                             .encode("utf-8")).hexdigest()[:16]
        enc = self._encoder
        model = str(getattr(enc, "name_or_path", None) or getattr(enc, "path", None) or type(enc).__name__)
        mdir = Path(model) if not isinstance(enc, _LazyEncoder) or enc._spec is not None else enc.directory()
        if mdir.is_dir():  # weights that changed in place make another run
            stamp = sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in mdir.glob("*")
                           if p.is_file())
            model += ":" + hashlib.sha1("|".join(stamp).encode()).hexdigest()[:12]
        graph = str(getattr(self.kg, "path", None) or "memory")
        domain = hashlib.sha1(self.domain.fingerprint_text().encode("utf-8")).hexdigest()[:16]
        out = {"rules": rules, "model": str(model), "graph": graph, "domain": f"{self.domain.name}:{domain}",
               "min_relation_score": str(self.min_relation_score)}
        if not self.joint:
            out["joint"] = "off"
        if self.memory is not None:
            out["memory"] = self.memory.fingerprint()
        if self.near_miss_floor is not None:
            out["near_misses"] = str(self.near_miss_floor)
        return out


def _paths(value: str | Path | list[Path] | None) -> list[Path] | None:
    """Rule paths as a list (None stays None: the agent was given a Program)."""
    if value is None:
        return None
    if isinstance(value, (str, Path)):
        return [Path(value)]
    return [Path(v) for v in value]


@dataclass
class _Deciding:
    """One document between its linking and its decisions (``Agent._decide_group``)."""

    doc: Document
    mentions: list[MentionResult]
    relations: list[RelationResult]
    pair_scores: dict[tuple[str, str], dict[str, float]]
    near_misses: Sequence[MentionResult]
    sentences: list[str]
    datelines: list[int]
    parts: list[tuple[str, str, str]]
    graph: dict[str, set[tuple]]
    jfacts: dict[str, set[tuple]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    undecided: dict[Any, str] = field(default_factory=dict)
    linking: float = 0.0  # seconds
    rules: float = 0.0


class _LazyEncoder:
    """A model directory (None = the domain's model) to load when first needed."""

    def __init__(self, path: Path | None, domain: Domain, precision: str = "auto"):
        self._spec = path
        self._domain = domain
        self.path = str(path) if path is not None else str(domain.model or "model")
        self.precision = precision

    def directory(self) -> Path:
        """The model directory (the domain's: DomainError KGA605 naming the command if it has none)."""
        return self._spec if self._spec is not None else self._domain.model_dir()

    def load(self) -> Any:
        from kgagent.encoder import Encoder

        return Encoder.from_pretrained(self.directory(), precision=self.precision)


class _Names(dict):
    """Names for the ids and IRIs a document's proofs may show, and each one's place in that
    order (so a decision's labels keep it without a scan of every name)."""

    def __init__(self, *maps: dict[str, str]) -> None:
        super().__init__()
        for m in maps:
            self.update(m)
        self.rank = {k: i for i, k in enumerate(self)}


def _named_in(proof: ProofNode, names: _Names, own: set[str]) -> dict[str, str]:
    """The names of the ids a proof's facts give as arguments (ids and IRIs are quoted: they hold
    a ':'), but ``own``, in ``names``' order. Each argument is looked up (not each name searched
    for in the proof's text: a document with thousands of mentions and decisions made that
    quadratic)."""
    hits = (quoted(" ".join(n.fact for n in walk(proof))) & names.keys()) - own
    return {k: names[k] for k in sorted(hits, key=names.rank.__getitem__)}


def _spans_of(doc: Document) -> list[tuple[int, int]]:
    return sentence_spans(doc.text)


def _batches(docs: Iterable[Document], batch_size: int) -> Iterator[list[tuple[Document, list[tuple[int, int]]]]]:
    """Groups of whole documents holding about ``batch_size`` sentences (at least one document)."""
    group: list[tuple[Document, list[tuple[int, int]]]] = []
    n = 0
    for doc in docs:
        spans = _spans_of(doc)
        group.append((doc, spans))
        n += len(spans)
        if n >= batch_size:
            yield group
            group, n = [], 0
    if group:
        yield group


def _documents(data: str | Document | Iterable[str | Document]) -> Iterator[Document]:
    """The documents ``extract`` is given (a string is a text, ``doc-<n>``); KGA410 for anything else."""
    if isinstance(data, (str, Document)):
        data = [data]
    elif isinstance(data, (bytes, bytearray, dict)) or not isinstance(data, Iterable):
        hint = (": decode it to a string first" if isinstance(data, (bytes, bytearray)) else
                ": read a corpus file with kgagent.corpus.read_corpus" if isinstance(data, Path) else "")
        raise InputError(f"extract() takes a string, a Document or an iterable of them, not {_kind(data)}{hint}",
                         code="KGA410")
    for i, item in enumerate(data, 1):
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield Document(id=f"doc-{i}", text=item)
        else:
            hint = ": decode it to a string first" if isinstance(item, (bytes, bytearray)) else ""
            raise InputError(f"extract() takes strings or Documents, got {_kind(item)} (item {i}){hint}",
                             code="KGA410")


def _checked_documents(docs: Iterable[Document]) -> Iterator[Document]:
    """``docs``, each checked to be one (KGA410): an id that is a non-empty string, a text that is
    a string UTF-8 can hold (no lone surrogate) and neither holding a NUL character (U+0000),
    which a corpus file may not hold either (KGA402 for a NUL byte, KGA404 for JSON's "\\u0000")."""
    for doc in docs:
        if not isinstance(doc, Document):
            raise InputError(f"extract() takes strings or Documents, got {_kind(doc)}", code="KGA410")
        if not isinstance(doc.id, str) or not doc.id.strip() or not is_text(doc.id):
            what = ("has a lone surrogate" if isinstance(doc.id, str) and doc.id.strip() else
                    "is empty" if isinstance(doc.id, str) else f"is {_kind(doc.id)}")
            raise InputError(f"a Document's id must be a non-empty string; {doc.id!r} {what}", code="KGA410")
        if (at := doc.id.find("\x00")) >= 0:
            raise InputError(f"a Document's id must be a non-empty string; {doc.id!r} holds a NUL character (U+0000) "
                             f"at character {at}, which is no text", code="KGA410")
        if not isinstance(doc.text, str):
            raise InputError(f"document {doc.id!r}: its text must be a string, not {_kind(doc.text)}", code="KGA410")
        if (why := not_text(doc.text)) is not None:  # as a corpus file's (KGA402, KGA404)
            raise InputError(f"document {doc.id!r}: its text holds {why}, which is no text{binary_hint(why)}",
                             code="KGA410")
        yield doc


def _kind(value: Any) -> str:
    """What a value given to the API is, for messages ("None", "an int", "bytes")."""
    if value is None:
        return "None"
    name = type(value).__name__
    return name if name in ("bytes", "bytearray") else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _claim_places(places: Any, n: int) -> list[int | str]:
    """The place of each of ``n`` claims (:meth:`Agent.validate`): ``places`` as a list, or the
    positions 1..n when None; InputError KGA411 for anything but one whole number or string per
    claim."""
    if places is None:
        return list(range(1, n + 1))
    if isinstance(places, (str, bytes, bytearray, dict)) or not isinstance(places, Iterable):
        raise InputError(f"places must be a list of one place (a line number or a string) per claim, not "
                         f"{_kind(places)}", code="KGA411")
    out = list(places)
    if len(out) != n:
        raise InputError(f"places must give one place per claim: {len(out)} place(s) for {n} claim(s)",
                         code="KGA411")
    for i, place in enumerate(out, 1):
        if isinstance(place, bool) or not isinstance(place, (int, str)):
            raise InputError(f"place {i} must be a line number or a string, not {_kind(place)}", code="KGA411")
    return out


def _paths_given(value: Any, where: str, what: str) -> list[str | Path]:
    """Paths given to ``where``: one path alone is a list of it (never its characters); KGA419
    for anything that is not paths."""
    if isinstance(value, (str, Path)):
        return [value]
    if isinstance(value, (bytes, bytearray, dict)) or not isinstance(value, Iterable):
        raise InputError(f"{where} takes {what} (paths), not {_kind(value)}", code="KGA419")
    out = list(value)
    for i, item in enumerate(out, 1):
        if not isinstance(item, (str, Path)):
            raise InputError(f"{where} takes {what} (str or Path), got {_kind(item)} (item {i})", code="KGA419")
    return out


def _check_parts(model: Any, kg: Any, rules: Any, linker: Any) -> None:
    """KGA419 for an ``Agent.load`` part that is neither a path nor an object of its kind."""
    for name, value, needs, path_ok in (("model", model, "propose", True), ("kg", kg, "add_ontology", True),
                                        ("rules", rules, "clauses", True), ("linker", linker, "link", False)):
        if value is None or (path_ok and isinstance(value, (str, Path))) or hasattr(value, needs):
            continue
        path = "a path (str or Path) or " if path_ok else ""
        raise InputError(f"{name} must be {path}an object with {needs}, not {_kind(value)}", code="KGA419")


def _check_settings(batch_size: Any, min_relation_score: Any, near_miss_floor: Any) -> None:
    """EncoderError KGA308 for a batch size that is not a whole number >= 1; InputError KGA419 for
    a score bound that is not a number in [0, 1] (or None)."""
    from kgagent.errors import EncoderError

    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise EncoderError(f"batch_size must be a whole number of at least 1, not {batch_size!r}", code="KGA308")
    for name, value in (("min_relation_score", min_relation_score), ("near_miss_floor", near_miss_floor)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= float(value) <= 1.0:
            raise InputError(f"{name} must be a number in [0, 1] or None, not {value!r}", code="KGA419")


def _linked_to(m: MentionResult) -> dict[str, str]:
    """The graph entity a linked mention is, as decisions name it: {"entity", "label"}."""
    entity = str(m.link.entity) if m.link is not None else ""
    return {"entity": entity, "label": m.entity_label or entity}


def _fact_rows(model: Any, pred: str) -> dict[str, list[tuple]]:
    """The rows of a fact table of the rules' model by their first argument (``relink(M, E, Why)``:
    mention id -> its rows); empty when the rules derived no such fact."""
    out: dict[str, list[tuple]] = defaultdict(list)
    if pred in model.predicates():
        for row in model.facts(pred):
            out[str(row[0])].append(tuple(row))
    return out


def _fact_map(model: Any, pred: str, cast: Callable[[Any], Any] = str) -> dict[str, Any]:
    """A binary fact table of the rules' model as first argument -> ``cast`` of the second
    (``retype(M, C)``: mention id -> class); empty when the rules derived no such fact."""
    return {str(a[0]): cast(a[1]) for a in model.facts(pred)} if pred in model.predicates() else {}


def _notes(why: str | None) -> list[str]:
    return [why] if why else []


__all__ = ["Agent", "ClaimResult", "new_entity_iri", "text_hash", "Link"]
