"""components/dashboard_pages.py: where a dashboard's rows break over pages, at the exact limits
both clouds' dashboards rely on (test_dashboard_aws.py, test_gcp_monitoring.py)."""

from __future__ import annotations

import pytest

from components.dashboard_pages import paginate


def shape(pages) -> list[list[tuple[str, list[int]]]]:
    """Each page as (title, the number of graphs in each row)."""
    return [[(title, [len(row) for row in rows]) for title, rows in page] for page in pages]


def test_a_page_holds_exactly_its_widgets_and_breaks_one_over():
    # 1 title + 4 graphs = 5 widgets: at the limit it stays, one more row breaks the page.
    assert shape(paginate([("a", [[1, 1, 1, 1]])], max_widgets=5)) == [[("a", [4])]]
    assert shape(paginate([("a", [[1, 1, 1, 1], [1]])], max_widgets=5)) == [
        [("a", [4])], [("a (continued)", [1])]]


def test_a_caches_first_title_counts_as_a_widget():
    # 3 widgets of "a", then "b" needs its title and 2 graphs: 6 > 5, so b starts a new page.
    pages = paginate([("a", [[1, 1]]), ("b", [[1, 1]])], max_widgets=5)
    assert shape(pages) == [[("a", [2])], [("b", [2])]]
    # With room for both titles it stays on one page.
    assert shape(paginate([("a", [[1, 1]]), ("b", [[1, 1]])], max_widgets=6)) == [
        [("a", [2]), ("b", [2])]]


def test_metrics_break_a_page_one_over_the_limit_and_restart_on_the_next():
    def count(graph: int) -> int:
        return graph

    rows = [[500] * 5, [500] * 5, [1]]
    pages = paginate([("a", rows)], max_widgets=500, max_metrics=2500, metrics=count)
    assert shape(pages) == [[("a", [5])], [("a (continued)", [5])], [("a (continued)", [1])]]
    # 2,499 + 1 fits exactly; the count starts again on a new page.
    exact = paginate([("a", [[2499], [1], [2500]])], max_widgets=500, max_metrics=2500,
                     metrics=count)
    assert shape(exact) == [[("a", [1, 1])], [("a (continued)", [1])]]


def test_a_cache_without_graphs_keeps_its_title():
    assert shape(paginate([("a", []), ("b", [[1]])], max_widgets=10)) == [
        [("a", []), ("b", [1])]]


@pytest.mark.parametrize("rows, limits", [
    ([[1] * 5], {"max_widgets": 5}),                                  # 1 title + 5 graphs
    ([[2501]], {"max_widgets": 500, "max_metrics": 2500}),
    ([[501]], {"max_widgets": 500, "max_metrics": 2500, "max_graph_metrics": 500}),
])
def test_a_row_no_page_can_hold_is_an_error_not_a_page_past_the_limit(rows, limits):
    with pytest.raises(ValueError, match="^a: a row of graphs"):
        paginate([("a", rows)], metrics=lambda graph: graph, **limits)
