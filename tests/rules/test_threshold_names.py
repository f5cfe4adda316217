"""`kgagent rules tune -t entity_acept=0.3,0.4` listed every threshold the rule files set, but
left the reader to spot which one was meant; now the closest is named."""

from __future__ import annotations

import pytest

from kgagent.errors import InputError
from kgagent.rules import parse_rules
from kgagent.thresholds import require_thresholds

RULES = "threshold(entity_accept, 0.4).\nthreshold(link_trusted, 0.9).\n"


def test_a_misspelt_threshold_name_is_refused_with_the_name_meant() -> None:
    with pytest.raises(InputError) as err:
        require_thresholds(parse_rules(RULES, "t.rules"), ["entity_acept"])
    assert err.value.code == "KGA480"
    assert err.value.message == ("no rule file sets threshold 'entity_acept' (did you mean entity_accept?); they "
                                 "set: entity_accept, link_trusted")


def test_a_name_like_none_is_refused_without_a_guess() -> None:
    with pytest.raises(InputError) as err:
        require_thresholds(parse_rules(RULES, "t.rules"), ["speed"])
    assert "did you mean" not in err.value.message and "they set: entity_accept, link_trusted" in err.value.message
    assert require_thresholds(parse_rules(RULES, "t.rules"), ["link_trusted"]) == {"link_trusted": 0.9}


def test_tuning_a_value_no_rule_file_may_hold_is_refused_before_anything_runs(tmp_path) -> None:
    """`rules tune -t entity_accept=0.4,1.5` ran the encoder and scored a row where nothing was
    ever accepted, without a word; a rule file holding 1.5 is refused (KGA126)."""
    from typer.testing import CliRunner

    from kgagent.errors import RuleError
    from kgagent.thresholds import check_ranges
    from kgagent_cli.main import app

    with pytest.raises(RuleError) as err:
        check_ranges({"entity_review": [0.2], "entity_accept": [0.4, 1.5]})
    assert err.value.code == "KGA126" and err.value.message.startswith("threshold entity_accept cannot be 1.5: it "
                                                                       "is 0 to 1")
    check_ranges({"entity_accept": [0.0, 1.0], "relation_accept_over_model": [-0.2], "own_threshold": [7]})
    gold = tmp_path / "dev.json"
    gold.write_text("[]")
    r = CliRunner().invoke(app, ["rules", "tune", str(gold), "-t", "repair_min_margin=0.5,-1"])
    assert r.exit_code == 2 and "KGA126 threshold repair_min_margin cannot be -1: it is 0 or more" in r.output, \
        r.output
