"""``kgagent review OUT`` (the review web page), ``kgagent feedback export-reviews OUT`` and
``kgagent feedback learn-policy OUT... --save P``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer

from kgagent_cli.common import EXIT_USAGE, console, guarded


def register(app: typer.Typer) -> None:
    """Add ``review`` to the main app, ``export-reviews`` and ``learn-policy`` to the ``feedback`` group."""
    from kgagent_cli import loop_cmd

    app.command("review")(review)
    loop_cmd.feedback_app.command("export-reviews")(export_reviews)
    loop_cmd.feedback_app.command("learn-policy")(learn_policy)


def review(
    out: Path = typer.Argument(..., help="The --out directory of a `kgagent extract` run."),
    port: int = typer.Option(8765, "--port", "-p", min=0, max=65535, help="Port to listen on (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on; anything but loopback "
                                                         "needs --token."),
    token: Optional[str] = typer.Option(None, "--token", help="Access token every request must carry "
                                                              "(required off loopback).", envvar="KGAGENT_REVIEW_TOKEN"),
    reviewer: Optional[str] = typer.Option(None, "--reviewer", help="Your name (the page asks when not given)."),
    db: Optional[Path] = typer.Option(None, "--db", help="Answers database (default: OUT/reviews.sqlite)."),
    read_only: bool = typer.Option(False, "--read-only", help="Open the database as a second reader: "
                                                              "browse and see answers, write none."),
    policy: Optional[str] = typer.Option(None, "--policy", help="Order of the queue: uncertainty (the agent's, "
                                                                "the default), margin (the closest calls, any verdict), "
                                                                "margin-mentions (the least sure mentions first, "
                                                                "to train a young model), "
                                                                "yield (the likeliest confirmations, "
                                                                "relations first), random, or a "
                                                                "LinUCB policy saved as JSON "
                                                                "(kgagent.review.policy)."),
) -> None:
    """Serve a local web page to settle the agent's doubtful decisions, keyboard first.

    Review verdicts come first, most uncertain first; filters pick any decisions. Keys: a
    accept, x reject, 1-9 change the type or predicate, s fix the span, space skip, f flag (with
    a note why), backspace undo, ? help. A skip or a flag keeps an earlier answer: it stands and
    is exported, with the flag's note. Every answer is stored at once in OUT/reviews.sqlite (SQLite, WAL,
    append-only) and `kgagent feedback export-reviews OUT` turns them into training data.

    Example: kgagent review out/ --reviewer ana

    Exit 2 = not an extraction, a database of another extraction, a port in use, another
    server on the database, or a non-loopback --host without --token.
    """
    from kgagent.review.policy import LinUCBPolicy, make_policy
    from kgagent.review.server import serve

    def ready(url: str) -> None:
        saved = ("read-only: browse and see answers, nothing you answer is saved" if read_only
                 else "answers are saved as you go")
        print(f"reviewing {out} at {url}  (ctrl-c stops; {saved})", flush=True)

    with guarded(EXIT_USAGE):
        order = None
        if policy is not None:
            order = LinUCBPolicy.load(policy) if policy.endswith(".json") else make_policy(policy)
        serve(out, host=host, port=port, token=token, reviewer=reviewer, db=db, read_only=read_only,
              on_ready=ready, policy=order)


def export_reviews(
    out: Path = typer.Argument(..., help="The --out directory the answers were made on."),
    to: Optional[Path] = typer.Option(None, "--to", help="Feedback file to write "
                                                         "(default: OUT/review_feedback.jsonl)."),
    db: Optional[Path] = typer.Option(None, "--db", help="Answers database (default: OUT/reviews.sqlite)."),
) -> None:
    """Turn reviewers' answers into feedback examples at the top weight, each citing its answers.

    Train on them with `kgagent train --feedback OUT/review_feedback.jsonl --dev DEV --out MODEL`.
    """
    from kgagent.review.export import export_reviews as run

    with guarded(EXIT_USAGE):
        report = run(out, to=to, db=db)
    con = console()
    items = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(report.items.items()) if n) or "no labels"
    con.print(f"{report.judgements} judged decision(s) -> {report.sentences} sentence(s) ({items}) -> {report.path}")
    if report.conflicts:
        con.print(f"left out {report.conflicts} decision(s) reviewers disagree on (see the page's conflict view)")
    if report.unmapped_labels:
        con.print(f"left out labels no decision pairs with a model label: {', '.join(report.unmapped_labels)}")
    if report.unplaced:
        con.print(f"left out {report.unplaced} answer(s) whose span could not be placed in its sentence")
    if report.unplaced_relations:
        con.print(f"left out {report.unplaced_relations} judged relation(s) whose argument is no entity of its "
                  "sentence (the agent did not accept it, or a reviewer rejected it): accept or fix that argument's "
                  "own entity, then export again")
    if report.unknown_answers:
        con.print(f"left out {report.unknown_answers} answer(s) on decisions not in decisions.jsonl "
                  f"(e.g. {report.unknown_decisions[0]}): made on another run of this extraction?")
    if report.flagged:
        con.print(f"{report.flagged} judged decision(s) flagged for discussion: exported with their answers, "
                  "each label carrying the flag's note (\"flags\")")
    if report.flagged_unjudged:
        _print_unjudged(con, report.flagged_unjudged)


def _note(flags: list[dict]) -> str | None:
    """A flagged decision's first note that says something, white space collapsed, a long one cut."""
    for f in flags:
        text = " ".join(str(f.get("note") or "").split())
        if text:
            return text if len(text) <= 80 else text[:79] + "…"
    return None


def _print_unjudged(con, unjudged: list[dict]) -> None:
    """The flagged decisions nobody judged: how many, one of them (the first with a note, quoted), and
    when there are several, how many have a note and the first few notes (not only the first decision's)."""
    noted = [(u["decision"], n) for u in unjudged if (n := _note(u["flags"])) is not None]
    shown, note = noted[0] if noted else (unjudged[0]["decision"], None)
    con.print(f"left out {len(unjudged)} flagged decision(s) nobody judged (nothing to train on; "
              f"e.g. {shown}" + (f": {note!r}" if note else "") + "): answer them to export them")
    if len(unjudged) == 1:
        return
    if not noted:
        con.print(f"none of those {len(unjudged)} has a note")
        return
    listed = "; ".join(f"{d}: {n!r}" for d, n in noted[:3]) + (f"; and {len(noted) - 3} more" if len(noted) > 3 else "")
    con.print(f"{len(noted)} of those {len(unjudged)} {'has' if len(noted) == 1 else 'have'} a note: {listed}")


def _alpha(value: float) -> float:
    """--alpha: a finite number >= 0 (nan, inf and 1e309 parse as floats but are no setting)."""
    if not math.isfinite(value) or value < 0:
        raise typer.BadParameter(f"must be a finite number >= 0, not {value}")
    return value


def learn_policy(
    outs: list[Path] = typer.Argument(..., help="--out directories of `kgagent extract` runs that reviewers "
                                                "answered (each with its reviews.sqlite)."),
    save: Path = typer.Option(..., "--save", help="Where to write the policy (JSON)."),
    alpha: float = typer.Option(0.5, "--alpha", callback=_alpha,
                                help="Exploration: how much the policy favours decisions unlike those "
                                     "answered so far (a finite number >= 0)."),
) -> None:
    """Learn which decisions are worth a person's time from what reviewers answered.

    Each agreed answer is a reward for a contextual bandit (LinUCB) over the decision's
    features: 1 where the person overruled the agent (rejected or changed what it accepted,
    accepted or changed what it rejected or sent to review), 0 where they agreed. Serve the
    next extraction's queue with it: `kgagent review OUT --policy POLICY.json`.

    Example: kgagent feedback learn-policy out-jan/ out-feb/ --save policy.json

    Exit 2 = not an extraction, a database of another extraction, no agreed answer at all, an
    --alpha that is no finite number >= 0, or a --save that cannot be a file.
    """
    from kgagent.review.learn import learn_policy as learn
    from kgagent.review.policy import check_save_path

    with guarded(EXIT_USAGE):
        check_save_path(save)  # before any work
        from kgagent.review.export import check_not_an_input
        from kgagent.review.store import DB_NAME

        for folder in outs:
            check_not_an_input(save, folder, folder / DB_NAME, option="--save")
        policy, report = learn(outs, alpha=alpha)
        policy.save(save)
    con = console()
    if report.repeated:
        con.print(f"read each directory once: {', '.join(report.repeated)} given again")
    share = 100.0 * report.overruled / report.answers
    con.print(f"learned from {report.answers} answer(s) on {report.extractions} extraction(s): "
              f"{report.overruled} overruled the agent ({share:.0f} %) -> {save}")
    if report.conflicts:
        con.print(f"left out {report.conflicts} decision(s) reviewers disagree on")
    weights = sorted(report.theta.items(), key=lambda kv: -abs(kv[1]))
    con.print("what predicts an overrule (reward weight per feature): "
              + ", ".join(f"{name} {w:+.2f}" for name, w in weights if name != "bias"))
