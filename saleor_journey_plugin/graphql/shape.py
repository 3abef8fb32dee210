"""How deep and how wide a query is, measured before graphql-core validates it.

Validation compares every pair of same-named fields (seconds for a few thousand
of them) and expands fragments, so a query is measured first, from its parsed
text alone: fragments are expanded as they would be run, each measured once,
so fragments spreading each other many times over cost nothing to measure.
"""

from dataclasses import dataclass

from graphql.language.ast import (
    Document,
    Field,
    FragmentDefinition,
    FragmentSpread,
    OperationDefinition,
    SelectionSet,
)

from .errors import QueryTooComplex

# The schema's deepest path (customers.edges.node.history.cause.eventType) is 6;
# the introspection query tools send is 13 (a type reference nests 7 ofTypes).
MAX_DEPTH = 15
# Every field counts, each alias and each use of a fragment again; a page of
# customers with history and touchpoints is 15, a full introspection 181.
MAX_SELECTIONS = 250


@dataclass(frozen=True)
class Shape:
    depth: int = 0
    selections: int = 0


def check_shape(document: Document) -> Shape:
    """The document's shape, or ``QueryTooComplex`` naming the limit it breaks."""
    shape = measure(document)
    if shape.depth > MAX_DEPTH:
        raise QueryTooComplex(
            f"The query is nested {shape.depth} levels deep; "
            f"at most {MAX_DEPTH} are allowed."
        )
    if shape.selections > MAX_SELECTIONS:
        raise QueryTooComplex(
            f"The query selects {shape.selections} fields (each alias and each "
            f"use of a fragment counted); at most {MAX_SELECTIONS} are allowed."
        )
    return shape


def measure(document: Document) -> Shape:
    """Deepest nesting and the number of field selections once expanded.

    Operations count with the fragments they use; a fragment no operation uses
    counts on its own, as validation still walks it.
    """
    fragments = {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinition)
    }
    measured: dict[str, Shape] = {}
    measuring: set[str] = set()

    def fragment(name: str) -> Shape:
        if name not in measured:
            definition = fragments.get(name)
            if definition is None or name in measuring:
                # Unknown or spreading itself: validation refuses the document.
                return Shape()
            measuring.add(name)
            measured[name] = selection_set(definition.selection_set)
            measuring.discard(name)
        return measured[name]

    def selection_set(node: SelectionSet | None) -> Shape:
        depth = selections = 0
        for selection in node.selections if node else ():
            if isinstance(selection, Field):
                inner = selection_set(selection.selection_set)
                depth = max(depth, 1 + inner.depth)
                selections += 1 + inner.selections
                continue
            if isinstance(selection, FragmentSpread):
                inner = fragment(selection.name.value)
            else:  # an inline fragment: its fields sit at this same level
                inner = selection_set(selection.selection_set)
            depth = max(depth, inner.depth)
            selections += inner.selections
        return Shape(depth, selections)

    shapes = [
        selection_set(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinition)
    ]
    for name in fragments:
        if name not in measured:  # nor part of one measured already
            shapes.append(fragment(name))
    return Shape(
        depth=max((s.depth for s in shapes), default=0),
        selections=sum(s.selections for s in shapes),
    )
