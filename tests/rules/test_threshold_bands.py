"""A review threshold above its accept threshold is KGA126 for any pair so named, not only the
shared rules' entity_review / entity_accept: the same rule `rules tune` skips grid points by."""

from __future__ import annotations

from kgagent.rules.parser import parse_rules
from kgagent.thresholds import band_problem, threshold_problems


def test_a_domains_own_band_above_its_accept_is_named_at_its_line() -> None:
    program = parse_rules("threshold(speech_accept, 0.5).\nthreshold(speech_review, 0.9).\n"
                          "threshold(entity_accept, 0.4).\nthreshold(entity_review, 0.3).\n", "bands.rules")
    (problem,) = threshold_problems(program)
    assert problem.code == "KGA126" and problem.loc.line == 2
    assert problem.message.startswith("threshold speech_review (0.9) is above speech_accept (0.5)")
    # the check of a rule file and rules tune's grid read the pairs alike
    assert band_problem({"speech_accept": 0.5, "speech_review": 0.9}) == "speech_review 0.9 is above speech_accept 0.5"


def test_a_review_threshold_without_its_accept_is_no_band() -> None:
    program = parse_rules("threshold(speech_review, 0.9).\nthreshold(link_trusted, 0.5).\n", "bands.rules")
    assert threshold_problems(program) == []
