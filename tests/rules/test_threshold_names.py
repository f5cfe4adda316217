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
