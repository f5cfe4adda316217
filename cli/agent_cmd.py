"""``kgagent extract`` and ``kgagent explain``: the agent."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from kgagent.decisions import VERDICTS
from kgagent.errors import KGAError, visible
from kgagent.process_heap import loaded_heap
from kgagent_cli.common import (DOMAIN_HELP, EXIT_ERRORS, EXIT_USAGE, GRAPH_DIR_HELP, MODEL_DIR_HELP, RULES_DIR_HELP,
                                 console, fail, guarded, open_domain)


def print_rule_report(rules: Path | list[Path], *, thresholds: bool = False,
                      warnings: list[str] | None = None, ontology: Any = None) -> list[str]:
    """Print the ``rules check`` report of rule paths (a directory, a file, or a domain's list)
    to stderr; returns the file of each error (empty when there is none), for
    :func:`rule_errors_line`. ``thresholds``: the paths are a whole agent's rules (a domain's):
    check their thresholds too (KGA118, KGA119, KGA126 errors; KGA127 errors for a threshold the
    shared rules cannot do without that no file sets, KGA121 warnings for another). Without it,
    rules that hold the shared ones (an agent's, as extract, validate, tune and rules test read
    them) are still refused a score band no file sets (KGA127).
    ``warnings``: a list to which the file of each warning printed is added (a caller's summary
    counts them). ``ontology``: the domain's; a class or relation name a rule writes that it has
    not is a warning (KGA653), and so is a rule adding to a shared rules' helper (KGA654). Rules that cannot be read at all (KGA107) exit 2 with their one line."""
    from kgagent.domain import rule_display_name
    from kgagent.rules import check_rules, load_rules
    from kgagent.rules.loader import rule_files
    from kgagent.thresholds import threshold_problems, with_unset_thresholds

    with guarded(EXIT_USAGE):  # a rules path that cannot be read (KGA107: no *.rules files) is one line
        diags = check_rules(rules, display=rule_display_name)
        shared = not thresholds and _reads_shared(rules)  # an agent's rules: its score bands
        wanted = thresholds or shared or ontology is not None
        # without errors the rules load, once for every check below
        program = load_rules(rules, display=rule_display_name) if wanted and not any(
            d.is_error for d in diags) else None
        if program is not None and thresholds:
            problems = threshold_problems(program)
            diags = diags + problems if problems else with_unset_thresholds(diags, program)
        elif program is not None and shared:
            if not threshold_problems(program):  # those the agent refuses itself, when it loads
                diags = with_unset_thresholds(diags, program, unread=False, warnings=False)
        if program is not None and ontology is not None and not any(d.is_error for d in diags):
            from kgagent.rules.names import extends_shared, unknown_names

            diags += unknown_names(program, ontology.classes, ontology.relations) + extends_shared(program)
    sources: dict[str, str] = {}
    try:
        files = rule_files(rules)
    except KGAError:
        files = []
    for f in files:
        try:
            sources[rule_display_name(f)] = f.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            pass
    err = console(stderr=True)
    errors: list[str] = []
    for d in diags:
        loc = getattr(d, "loc", None)
        where = str(loc.path) if loc is not None else str(rules)
        if getattr(d, "severity", "error") == "error":
            errors.append(where)
        elif warnings is not None:
            warnings.append(where)
        try:
            text = d.format(sources)
        except Exception:  # a diagnostic without sources still prints its line
            text = str(d)
        err.print(text)
    return errors


def _reads_shared(rules: Path | list[Path]) -> bool:
    """Whether the rule paths hold the shared rules (an agent's rules, not a file checked alone)."""
    from kgagent.domain.domain import SHARED_RULES_DIR

    paths = [rules] if isinstance(rules, (str, Path)) else list(rules)
    try:
        return any(Path(p).resolve() == SHARED_RULES_DIR.resolve() for p in paths)
    except (OSError, RuntimeError):
        return False


def rule_errors_line(errors: list[str], before: str) -> str:
    """The one-line error after :func:`print_rule_report`'s report: which files have errors and
    how many ("KGA100 rule errors (above) in my-rules/x.rules: 2; fix them before extracting")."""
    counts = Counter(errors)
    where = ", ".join(f"{f}: {n}" for f, n in counts.items())
    return f"KGA100 rule errors (above) in {where}; fix them before {before}"


def _check_paths(rules: Path | None, kg: Path | None, model: Path | None) -> None:
    if rules is not None and not rules.exists():
        raise fail(f"KGA408 no such rules directory: {rules}", EXIT_USAGE)
    if kg is not None and not kg.exists():
        raise fail(f"KGA409 no such graph directory or file: {kg}", EXIT_USAGE)
    if model is not None and not model.is_dir():
        raise fail(f"KGA302 no such model directory: {model}", EXIT_USAGE)


def _check_engine_options(engine: str, address: str | None, workers: int | None, threads: int) -> None:
    """KGA422 for options a local run would ignore (``--address``, ``--workers``) or cannot hold
    (more ``--threads`` than this machine's cores)."""
    import os

    if engine == "ray":
        return  # the engine checks its own (KGA435)
    given = [name for name, value in (("--address", address), ("--workers", workers)) if value is not None]
    if given:
        raise fail(f"KGA422 {' and '.join(given)} {'need' if len(given) > 1 else 'needs'} --engine ray "
                   "(this run is local)", EXIT_USAGE)
    cores = os.cpu_count() or 1
    if threads > cores:
        raise fail(f"KGA422 --threads {threads} is more than this machine's {cores} cores", EXIT_USAGE)


def summary_tables(summary, stage_order=("encoder", "linking", "rules", "writing")) -> list[Table]:
    """The run summary as rich tables: verdicts by kind, by type, by rule, time per stage."""
    repaired = any(row.get("repair") for row in summary.by_verdict.values())
    verdicts = ("accept", "repair", "review", "reject") if repaired else ("accept", "review", "reject")
    empty = len(getattr(summary, "empty_files", None) or [])
    left_out = f"; {empty} empty file{'s' if empty != 1 else ''} left out" if empty else ""
    t1 = Table(title=f"{summary.documents} documents, {summary.sentences} sentences "
                     f"({summary.processed} processed now, {summary.skipped} already done in {summary.out}"
                     f"{left_out})")
    t1.add_column("decisions")
    for v in verdicts:
        t1.add_column(v, justify="right")
    t1.add_column("total", justify="right")
    for kind in sorted(summary.by_verdict):
        row = summary.by_verdict[kind]
        t1.add_row(kind, *(str(row.get(v, 0)) for v in verdicts), str(sum(row.values())))
    t2 = Table(title="by type / predicate")
    t2.add_column("type")
    for v in verdicts:
        t2.add_column(v, justify="right")
    for key in sorted(summary.by_type):
        row = summary.by_type[key]
        t2.add_row(key, *(str(row.get(v, 0)) for v in verdicts))
    t3 = Table(title="by deciding rule")
    # the rule's file:line is what a person looks up: not cut short (the reason wraps instead)
    t3.add_column("rule", overflow="fold", min_width=min(max([len(k) for k in summary.by_rule] + [4]), 40))
    for v in verdicts:
        t3.add_column(v, justify="right")
    t3.add_column("reason")
    for key in sorted(summary.by_rule, key=lambda k: -sum(summary.by_rule[k].values())):
        row = summary.by_rule[key]
        t3.add_row(key, *(str(row.get(v, 0)) for v in verdicts), summary.rule_reasons.get(key, ""))
    t4 = Table(title=f"time per stage (this run, wall {summary.wall:.2f} s)")
    t4.add_column("stage")
    t4.add_column("seconds", justify="right")
    t4.add_column("share", justify="right")
    total = sum(summary.timings.values()) or 1.0
    for stage in [s for s in stage_order if s in summary.timings] + \
            sorted(s for s in summary.timings if s not in stage_order):
        t4.add_row(stage, f"{summary.timings[stage]:.2f}", f"{100 * summary.timings[stage] / total:.0f}%")
    if summary.processed and summary.wall:
        t4.caption = f"{summary.processed / summary.wall:.2f} docs/s; facts added {summary.facts_added}, " \
                     f"new entities {summary.entities_added}, feedback sentences {summary.feedback_sentences}"
        if summary.known_entity_mentions:
            t4.caption += f"; mentions of entities earlier runs introduced {summary.known_entity_mentions}"
        words = {"unlink": "links taken away", "relink": "relinked to a namesake",
                 "same_as": "short names joined to their full name"}
        who = [f"{words[k]}: {n}" for k, n in sorted(summary.identity.items()) if k in words and n]
        if who:
            t4.caption += (f"; the rules changed which entity {sum(summary.identity.values())} accepted "
                           f"mentions are: " + ", ".join(who))
    return [t1, t2, t3, t4]


def extract_cmd(
    corpus: list[Path] = typer.Argument(..., help="Text files (documents separated by blank lines), .jsonl files "
                                                  "(id, text per line) or directories of .txt files; - = stdin."),
    out: Path = typer.Option(Path("out"), "--out", help="Output directory (created; a re-run resumes in it)."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP),
    rules: Path | None = typer.Option(None, "--rules", help=RULES_DIR_HELP),
    kg: Path | None = typer.Option(None, "--graph", "-g", help=GRAPH_DIR_HELP),
    model: Path | None = typer.Option(None, "--model", help=MODEL_DIR_HELP),
    batch_size: int = typer.Option(32, "--batch-size", min=1, help="Sentences per encoder batch."),
    min_relation_score: float = typer.Option(0.2, "--min-relation-score", min=0.0, max=1.0,
                                             help="Show the rules relations down to this score too (below the "
                                                  "encoder's own threshold: the graph may confirm them)."),
    threads: int = typer.Option(0, "--threads", min=0, help="Torch CPU threads (0, the default: the machine's "
                                                             "cores; on a quiet 2-core machine 2 threads do 20.2 "
                                                             "docs/s, 1 thread 14.1; on a machine another process "
                                                             "keeps busy, --threads 1 avoids oversubscription). "
                                                             "--engine ray: CPUs and threads per worker (default "
                                                             "1: as many workers as CPUs)."),
    engine: str = typer.Option("local", "--engine", help="local (this process) or ray (Ray Data, one agent per "
                                                         "worker; pip install 'kgagent\\[ray]')."),
    address: str | None = typer.Option(None, "--address", help="--engine ray: join this running cluster "
                                                               "(HOST:PORT of `ray start --head`; default: a "
                                                               "local Ray on this machine's cores)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="--engine ray: how many workers (default: "
                                                                     "the cluster's CPUs / --threads)."),
    precision: str = typer.Option("auto", "--precision", help="Encoder arithmetic: auto (bfloat16 where the "
                                  "hardware makes it the faster: a GPU with bf16, a CPU with AMX; else "
                                  "float32), float32 or bfloat16."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Start afresh in --out instead of resuming."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    memory: Path | None = typer.Option(None, "--memory", help="Corpus memory: an earlier run's output directory "
                                       "(or its decisions.jsonl), or 'graph' (the mention records accepted "
                                       "entities left in the graph); the types accepted per name become "
                                       "type_votes facts and a prior of the joint decision (read once: every "
                                       "document of this run sees the same memory)."),
    no_joint: bool = typer.Option(False, "--no-joint", help="Keep each label as the encoder chose it: no joint "
                                  "decision of types and predicates, hence no repairs."),
    near_misses: float | None = typer.Option(None, "--near-misses", min=0.01, max=1.0,
                                             help="Also write, as review decisions, the spans the encoder nearly "
                                                  "proposed (its best type scoring at least this, below 'no "
                                                  "entity'), so that `kgagent review` can ask a person about "
                                                  "the mentions it may have missed (0.3 is a good start)."),
) -> None:
    """Extract entities and relations, validate them with graph + rules, write decisions.

    Example: kgagent extract examples/corpus.txt --out out/

    Writes OUT/decisions.jsonl, OUT/graph.nq, OUT/feedback.jsonl, OUT/summary.json.

    Exit 0 = done, 1 = bad corpus or rules with errors (the rules check report is printed), or a
    document failed (reported by id; the others are written), 2 = missing rules/graph/model
    directory, unwritable --out, options that do not go together (KGA422); --engine ray: Ray not
    installed, cluster unreachable, other kgagent on the cluster, corpus unreadable on the workers.
    """
    from kgagent.corpus import count_documents
    from kgagent.domain import rule_path_shown
    from kgagent.output import check_corpus_not_in_out, made_out

    _check_paths(rules, kg, model)
    dom = open_domain(domain, need_model=model is None)
    if engine not in ("local", "ray"):
        raise fail(f"KGA422 --engine must be local or ray, not {engine!r}", EXIT_USAGE)
    _check_engine_options(engine, address, workers, threads)
    if engine == "ray":
        from kgagent.ray_engine import ray_available

        if not ray_available():
            raise fail("KGA430 --engine ray needs Ray, which is not installed: pip install 'kgagent[ray]'", EXIT_USAGE)
    for c in corpus:
        if str(c) != "-" and not c.exists() and not (engine == "ray" and address):  # a cluster's workers may have it
            raise fail(f"KGA407 no such corpus file or directory: {c}", EXIT_USAGE)
    if str(out) == "-":
        raise fail("KGA492 --out - : extract writes a folder of files (decisions.jsonl, graph.nq, feedback.jsonl, "
                   "summary.json), not to standard output; give a folder, and read its decisions.jsonl", EXIT_USAGE)
    with guarded(EXIT_USAGE):
        check_corpus_not_in_out(corpus, out)
    rules_dir = [rule_path_shown(p) for p in dom.rules_with(rules)]  # what the agent reads
    if errors := print_rule_report(rules_dir):
        raise fail(rule_errors_line(errors, "extracting"), EXIT_ERRORS)
    with contextlib.ExitStack() as made:  # a failure before anything is written leaves no empty --out
        with guarded(EXIT_USAGE):
            made.enter_context(made_out(out))
        paths = [str(c) for c in corpus]
        warned: set[str] = set()
        with guarded(EXIT_ERRORS):
            # counted in a first reading: only where a second one reads the same (not stdin, a pipe, a FIFO)
            total = (count_documents(paths, on_empty=lambda f: _warn_empty([f], warned))
                     if all(p != "-" and (Path(p).is_file() or Path(p).is_dir()) for p in paths) else None)
        # Agent.load's keyword arguments: the local engine and every Ray worker load the agent from these
        memory_from_graph = memory is not None and str(memory) == "graph"
        mem = None
        if memory is not None and not memory_from_graph:
            from kgagent.memory import TypeMemory

            with guarded(EXIT_USAGE):
                mem = TypeMemory.load(memory)
        load_kwargs = dict(model=model, kg=kg, rules=rules, domain=str(dom.root), batch_size=batch_size,
                           min_relation_score=min_relation_score, precision=precision, joint=not no_joint, memory=mem,
                           near_miss_floor=near_misses)
        if engine == "ray":
            if memory_from_graph:
                raise fail("KGA436 --memory graph needs --engine local; with ray give an earlier run's directory",
                           EXIT_USAGE)
            graph = kg if kg is not None else dom.graph  # (the local engine's writer checks the agent's own)
            folder = graph.parent if graph is not None and graph.is_file() else graph
            if folder is not None and folder.is_dir() and out.is_dir() and folder.resolve() == out.resolve():
                raise fail(f"KGA510 --out {out} is the folder of the graph {graph}: the run's graph.nq would take the "
                           "graph's place there; give another --out", EXIT_USAGE)
            _report(_run_ray(load_kwargs, paths, out, overwrite, total, quiet, address, workers, threads or 1), out,
                    warned)
            return
        if threads:
            import torch

            torch.set_num_threads(threads)
        with guarded(EXIT_ERRORS):
            from kgagent.agent import Agent

            with loaded_heap():
                agent = Agent.load(**load_kwargs)
                if memory_from_graph:
                    from kgagent.memory import TypeMemory

                    agent.memory = TypeMemory.from_graph(agent.kg)
                agent.warm_up()
            # the paths, read by the run itself: the empty files it leaves out are in its summary.json
            summary = _run(agent, paths, out, overwrite, total, quiet)
        _report(summary, out, warned)


def _warn_empty(files: list[str], warned: set[str]) -> None:
    """A warning on stderr for each empty file of a corpus folder the run leaves out (once each)."""
    for f in files:
        if f not in warned:
            warned.add(f)
            print(f"warning: {visible(f)}: KGA403 empty file, left out (no text in it)", file=sys.stderr)


def _report(summary, out: Path, warned: set[str] | None = None) -> None:
    """The summary tables; documents that failed (one line each, on stderr) make exit code 1.
    Empty files the run left out and no first reading warned of (standard input among the
    corpus paths) are warned of now."""
    _warn_empty(list(getattr(summary, "empty_files", None) or []), set() if warned is None else warned)
    con = console()
    for t in summary_tables(summary):
        con.print(t)
    con.print(f"wrote {out / 'decisions.jsonl'}, {out / 'graph.nq'}, {out / 'feedback.jsonl'}; "
              f"explain a decision: kgagent explain ID --out {out}")
    failed = getattr(summary, "failed", None) or []
    for f in failed:  # a document's error may quote its text: one inert line each
        print(f"error: {visible(str(f['error']), keep=chr(9))}", file=sys.stderr)
    if failed:
        raise fail(f"KGA434 {len(failed)} document(s) failed (above); the others are written, a re-run retries "
                   "the failed ones", EXIT_ERRORS)


@contextlib.contextmanager
def _progress_bar(quiet: bool, total: int | None) -> Iterator:
    """A ``progress(result, sentences)`` callback drawing a bar on stderr (None with --quiet).

    The bar appears with the first document, so an error before it stays one line."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if quiet:
        yield None
        return
    state = {"t0": time.perf_counter(), "docs": 0, "sents": 0}
    bar = Progress(TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=console(stderr=True),
                   transient=False)
    task = bar.add_task("extract", total=total, rate="")

    def progress(result, sentences: int) -> None:
        if not bar.live.is_started:
            bar.start()
        if result is not None:
            state["docs"] += 1
            state["sents"] += sentences
        dt = max(time.perf_counter() - state["t0"], 1e-9)
        bar.update(task, advance=1, rate=f"{state['docs'] / dt:.2f} docs/s  {state['sents'] / dt:.1f} sentences/s")

    try:
        yield progress
    finally:
        if bar.live.is_started:
            bar.stop()


def _run(agent, docs, out: Path, overwrite: bool, total: int | None, quiet: bool):
    with _progress_bar(quiet, total) as progress:
        try:
            return agent.extract_to(docs, out, overwrite=overwrite, progress=progress)
        except KeyboardInterrupt:  # what was finished is committed (run_extraction): say the rerun resumes
            from kgagent.output import read_progress

            try:
                n = len(read_progress(out)[0])
            except Exception:  # OUT cannot be read back: the plain word
                n = None
            if n is None:
                raise
            raise fail(f"interrupted; the {n} document{'s' if n != 1 else ''} finished {'are' if n != 1 else 'is'} "
                       f"kept in {out}: run the same command again to resume", 130) from None
        except KGAError as err:  # an --out that cannot be written to (KGA510, KGA513) is a usage error, as elsewhere
            if err.code in ("KGA510", "KGA513"):
                raise fail(str(err), EXIT_USAGE) from None
            raise


@contextlib.contextmanager
def _native_stderr_muted() -> Iterator[None]:
    """Send what native code writes to file descriptor 2 (Ray's C++ core logs there) to /dev/null,
    while Python's ``sys.stderr`` (progress bar, error lines) still reaches the terminal."""
    import os

    try:
        python_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # a captured stderr (tests): nothing to keep apart
        python_fd = None
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    old = sys.stderr
    if python_fd == 2:
        sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=old.encoding, errors="backslashreplace")
    os.dup2(null, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
        if sys.stderr is not old:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = old


def _run_ray(load_kwargs: dict, paths: list[str], out: Path, overwrite: bool, total: int | None, quiet: bool,
             address: str | None, workers: int | None, threads: int):
    """--engine ray (kgagent.ray_engine); Ray's own logging and warnings are kept off the terminal
    (they stay in Ray's session logs, /tmp/ray/session_*/logs)."""
    import logging
    import warnings

    from kgagent.errors import KGAError
    from kgagent.ray_engine import run_ray_extraction

    logging.getLogger("ray").setLevel(logging.ERROR)
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)  # a failed task: kgagent reports it, in one line
    warnings.filterwarnings("ignore", module=r"ray(\.|$)")
    with guarded(EXIT_ERRORS), _native_stderr_muted(), _progress_bar(quiet, total) as progress:
        try:
            return run_ray_extraction(load_kwargs, paths, out, address=address, workers=workers,
                                      cpus_per_worker=threads, overwrite=overwrite, progress=progress)
        except KGAError as err:  # the engine's own input (KGA430-435) and I/O are usage errors
            if err.code[:5] in ("KGA43", "KGA50", "KGA51"):
                raise fail(str(err), EXIT_USAGE) from None
            raise


def explain_cmd(
    decision_id: str = typer.Argument(None, help="A decision id from decisions.jsonl (d:...; a unique prefix will do, "
                                                 "with or without d:), or the id of the mention (m:...) or "
                                                 "relation (r:...) it decides."),
    out: Path = typer.Option(Path("out"), "--out", help="The output directory of `kgagent extract`."),
    verdict: str = typer.Option(None, "--verdict", help="Instead of an id: explain decisions with this verdict "
                                                        "(accept, repair, review, reject)."),
    kind: str = typer.Option(None, "--kind", help="With --verdict: only entity or relation decisions."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="With --verdict: how many to explain "
                                                                   "(default 1)."),
    as_json: bool = typer.Option(False, "--json", help="Print the decision with its proof as JSON."),
    domain: Path | None = typer.Option(None, "--domain", help=DOMAIN_HELP + " Its explain.toml words the "
                                                                            "rules' helper predicates."),
) -> None:
    """Explain a decision: its verdict, reason, rule and proof, in words.

    Examples: kgagent explain d:3f9a --out out/ ;
    kgagent explain --verdict reject --kind relation --limit 3 --out out/

    Exit 0 = found, 1 = no such decision, 2 = no such output directory, a --out that is not an
    extraction's output (KGA450: a folder without decisions.jsonl, a corpus, a claims file), or bad
    options (KGA423).
    """
    from kgagent.explain import check_decision, check_extraction_output, explain_decision
    from kgagent.output import decisions_in, locate_decision

    if not out.exists():
        raise fail(f"KGA414 no such output directory: {out}", EXIT_USAGE)
    if (decision_id is None) == (verdict is None):
        raise fail("KGA423 give a decision ID or --verdict (not both)", EXIT_USAGE)
    if decision_id is not None and not decision_id.strip():
        raise fail("KGA423 the decision ID is empty: give one from decisions.jsonl (d:...; a unique prefix will "
                   "do), or --verdict", EXIT_USAGE)
    if verdict is not None and verdict not in VERDICTS:
        raise fail(f"KGA423 --verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}", EXIT_USAGE)
    if kind is not None and kind not in ("entity", "relation"):
        raise fail(f"KGA423 --kind must be entity or relation, not {kind!r}", EXIT_USAGE)
    if decision_id is not None and (kind is not None or limit is not None):
        raise fail(f"KGA423 {'--kind' if kind is not None else '--limit'} goes with --verdict, not a decision ID",
                   EXIT_USAGE)
    with guarded(EXIT_USAGE):  # a corpus, claims, a folder without decisions: said so, with what is wanted
        decisions = check_extraction_output(out)
    wording = open_domain(domain).wording
    with guarded(EXIT_ERRORS):
        if decision_id is not None:
            chosen = [locate_decision(decisions, decision_id)]
        else:
            chosen = []
            for d, where in decisions_in(decisions):
                if d.get("verdict") == verdict and (kind is None or d.get("kind") == kind):
                    chosen.append((d, where))
                    if len(chosen) >= (limit or 1):
                        break
            if not chosen:
                raise fail(f"KGA415 no {kind or ''} decision with verdict {verdict} in {out}".replace("  ", " "),
                           EXIT_ERRORS)
    for i, (decision, where) in enumerate(chosen):
        if as_json:
            typer.echo(json.dumps(decision, indent=1, ensure_ascii=False))
        else:
            with guarded(EXIT_ERRORS):  # a hand-edited decision: KGA451 at its line, one line
                check_decision(decision, where)
                text = explain_decision(decision, wording, where)
            typer.echo(("\n" if i else "") + text)


def register(app: typer.Typer) -> None:
    """Add the agent's commands to the main app."""
    app.command("extract")(extract_cmd)
    app.command("explain")(explain_cmd)
