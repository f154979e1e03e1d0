"""A community's details as its admin keeps them."""

import pytest

from webapp.domain.places import communities
from webapp.models import Community
from webapp.models.text import max_length


def test_details_are_trimmed_and_a_blank_hotline_is_none(community):
    communities.update_details(community, " 新名字 ", " 0351-7654321 ", "  ")
    assert (community.name, community.hotline, community.hotline_24h) == \
        ("新名字", "0351-7654321", None)


@pytest.mark.parametrize(("name", "hotline", "field"), [
    ("  ", None, "name"), ("社" * 101, None, "name"),
    ("社区", "1" * (max_length(Community.hotline) + 1), "hotline")])
def test_what_does_not_fit_is_refused_by_field(community, name, hotline, field):
    with pytest.raises(communities.DetailsRefused) as refused:
        communities.update_details(community, name, hotline, None)
    assert refused.value.field == field and community.name == "测试社区"
