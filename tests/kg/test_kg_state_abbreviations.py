"""US news writes its states the AP way ("Gunnison, Colo."): the news graph holds each state's
AP-style abbreviation (from the ``us`` package) as an alias, so the linker finds the state."""

from __future__ import annotations

import pytest

from kgagent.kg import KnowledgeGraph
from kgagent.kg.geonames import us_state_abbreviations


def test_ap_abbreviations_come_from_the_us_package():
    ap = us_state_abbreviations()
    assert ap["MI"] == "Mich." and ap["NM"] == "N.M." and ap["DC"] == "D.C." and ap["WV"] == "W.Va."
    assert "TX" not in ap and "OH" not in ap and "AK" not in ap  # AP writes these out: the name is there
    assert "PA" not in us_state_abbreviations({"pa"})  # stops removed it names another place: left out
    assert us_state_abbreviations({"pa"})["MI"] == "Mich."


@pytest.mark.slow
def test_the_news_graph_links_a_state_abbreviation_with_or_without_its_stops() -> None:
    kg = KnowledgeGraph.load()
    links = kg.linker().link([("Mich.", "location"), ("Mich", "location"), ("N.M.", "location")])
    assert [kg.entity(lk.entity).label for lk in links] == ["Michigan", "Michigan", "New Mexico"]
    assert all(lk.method == "alias" and lk.score >= 0.9 for lk in links)  # trusted: the geography rules use it
