"""Every claims route: read-only pages with `.json` twins, the feeds, the POST forms."""

from __future__ import annotations

from datasette_claims.web.feed import changes_feed, checked_feed
from datasette_claims.web.forms import (
    add_view,
    link_view,
    merge_view,
    review_view,
    source_decision_view,
    split_view,
)
from datasette_claims.web.pages import (
    claim_view,
    claimreview_feed,
    compare_view,
    overview,
    source_view,
    story_view,
)

ROUTES = [
    (r"^/(?P<database>[^/]+)/-/claims/changes\.atom$", changes_feed),
    (r"^/(?P<database>[^/]+)/-/claims/checked\.atom$", checked_feed),
    (r"^/(?P<database>[^/]+)/-/claims(?P<format>\.claimreview\.json)$", claimreview_feed),
    (r"^/(?P<database>[^/]+)/-/claims(?P<format>\.json)?$", overview),
    (r"^/(?P<database>[^/]+)/-/claims/add$", add_view),
    (r"^/(?P<database>[^/]+)/-/claims/story(?P<format>\.json)?$", story_view),
    (
        r"^/(?P<database>[^/]+)/-/claims/compare/(?P<proposition>[^/]+?)(?P<format>\.json)?$",
        compare_view,
    ),
    (r"^/(?P<database>[^/]+)/-/claims/sources/(?P<source>[^/]+?)(?P<format>\.json)?$", source_view),
    (r"^/(?P<database>[^/]+)/-/claims/(?P<claim>[^/]+?)(?P<format>\.json)?$", claim_view),
    # After the pages, so "sources/<id>" is never taken for a claim's review.
    (r"^/(?P<database>[^/]+)/-/claims/(?P<claim>[^/]+)/review$", review_view),
    (r"^/(?P<database>[^/]+)/-/claims/(?P<claim>[^/]+)/(?P<action>link|unlink)$", link_view),
    (r"^/(?P<database>[^/]+)/-/claims/compare/(?P<proposition>[^/]+)/merge$", merge_view),
    (r"^/(?P<database>[^/]+)/-/claims/compare/(?P<proposition>[^/]+)/split$", split_view),
    (
        r"^/(?P<database>[^/]+)/-/claims/sources/(?P<source>[^/]+)/(?P<action>confirm|rename|merge)$",
        source_decision_view,
    ),
]
