"""Splits a stack's dashboard over pages that stay within the cloud's limits on one dashboard.

Both clouds' dashboards are a title per cache and rows of graphs under it. A page takes whole
rows while it stays within the limits; a cache whose rows go on over a page break gets its title
again at the top of the next page, marked "(continued)". Each cloud lays out its own pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Graph = TypeVar("Graph")
# One page: (title, rows) per cache on it, in order.
Page = list[tuple[str, list[Sequence[Graph]]]]


def paginate(sections: Sequence[tuple[str, Sequence[Sequence[Graph]]]], *, max_widgets: int,
             max_metrics: int | None = None, max_graph_metrics: int | None = None,
             metrics: Callable[[Graph], int] = lambda graph: 0) -> list[Page[Graph]]:
    """`sections`: (title, rows) per cache. A title and each graph are one widget each;
    `metrics(graph)` counts what a graph draws against `max_metrics` (a page) and
    `max_graph_metrics` (a graph). A graph or row that could not fit even an empty page is a
    ValueError: config validation keeps every cache below that (at most 500 nodes a group)."""
    pages: list[Page[Graph]] = [[]]
    widgets = drawn = 0
    for title, rows in sections:
        continued = False
        current: list[Sequence[Graph]] | None = None     # this cache's rows on the page
        for row in rows or [()]:                        # a cache without graphs keeps its title
            counts = [metrics(graph) for graph in row]
            row_metrics = sum(counts)
            if 1 + len(row) > max_widgets \
                    or (max_metrics is not None and row_metrics > max_metrics) \
                    or (max_graph_metrics is not None and max(counts, default=0)
                        > max_graph_metrics):
                raise ValueError(f"{title}: a row of graphs of {counts} metrics passes a "
                                 f"dashboard's {max_widgets} widgets, {max_metrics} metrics or "
                                 f"{max_graph_metrics} metrics a graph")
            needed = len(row) + (1 if current is None else 0)
            if pages[-1] and (widgets + needed > max_widgets or (
                    max_metrics is not None and drawn + row_metrics > max_metrics)):
                pages.append([])
                widgets = drawn = 0
                current = None
            if current is None:
                current = []
                pages[-1].append((f"{title} (continued)" if continued else title, current))
                continued = True
                widgets += 1
            if row:
                current.append(row)
            widgets += len(row)
            drawn += row_metrics
    return pages
