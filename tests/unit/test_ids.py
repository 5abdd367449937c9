"""Identifiers sort by creation, even many in one millisecond."""

from __future__ import annotations

import re

from omnifill.adapters.ids import new_id


def test_ids_carry_their_prefix_and_26_crockford_characters() -> None:
    assert re.fullmatch(r"ord_[0-9A-HJKMNP-TV-Z]{26}", new_id("ord"))


def test_ids_made_one_after_another_sort_in_that_order() -> None:
    made = [new_id("ful") for _ in range(5000)]  # thousands per millisecond: the random part must not decide

    assert made == sorted(made)
    assert len(set(made)) == len(made)
