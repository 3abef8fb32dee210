"""What a query may cost, worked out from the validated document before it runs.

The cost is the most field values the answer can hold: every selected field
counts 1 for each object it is resolved on. A field with a ``first`` argument
resolves its selections up to ``first`` times (from the literal, the variable
or the argument's default), a list without one ``UNBOUNDED_LIST`` times (a
journey's history, introspection's lists). Named fragments are costed once
and reused, so the analysis takes time in the size of the text, never in the
size of the expansion. A page of 100 customers with their stage, history and
20 touchpoints and pain points costs 8,801; Saleor allows 50,000 as well.
"""

from graphql.execution.utils import get_field_def, get_operation_root_type
from graphql.execution.values import get_argument_values
from graphql.language.ast import (
    Field,
    FragmentDefinition,
    FragmentSpread,
    InlineFragment,
    OperationDefinition,
    SelectionSet,
)
from graphql.type import GraphQLList, GraphQLSchema, get_named_type, get_nullable_type

from ..core.export import MAX_EXPORTED_EVENTS
from .paging import MAX_PAGE

MAX_COST = 50_000  # Saleor's GRAPHQL_QUERY_MAX_COMPLEXITY
# Lists with no `first`: history grows by one for each stage change, a lapse
# and a win-back included; 10 covers the funnel walked through and a lapse.
UNBOUNDED_LIST = 10
# Lists whose length an enclosing `first` already counted.
LIST_SIZES = {
    "JourneyConnection.edges": 1,
    "LoyaltyEntryConnection.edges": 1,
    "CampaignMessageConnection.edges": 1,
    "ReviewConnection.edges": 1,
}
# What a field costs on top of its answer: the store reports. One report is 1
# to 29 aggregate queries over the period's events, ledger or campaign tables
# (time in stage 29, the KPIs 17, the funnel 11, the campaigns 8, series 6,
# the map 5, loyalty 3, cohorts 1), where a whole page of 100 customers (8,801)
# is 4 indexed queries. At 500 each, the journey map page's query (the seven
# reports of a period and the previous period's KPIs) costs 5,825; ten aliases
# of a report with all six of the map's reports cost 47,180 and pass; 100
# reports cost 50,000 before their answers and are refused. Lists inside a
# report count UNBOUNDED_LIST like any other list: they are the report's own
# rows, already paid for by its weight.
REPORT_WEIGHT = 500
# A customer's data export reads every table the plugin keeps about them and
# up to 5,000 of their events: costed as that many fields. One costs 5,001,
# so nine go in a request and ten are refused.
EXPORT_WEIGHT = MAX_EXPORTED_EVENTS
FIELD_WEIGHTS = {
    **{
        f"JourneyReport.{name}": REPORT_WEIGHT
        for name in (
            "kpis",
            "funnel",
            "timeInStage",
            "cohorts",
            "map",
            "series",
            "campaigns",
            "loyalty",
        )
    },
    "Query.customerDataExport": EXPORT_WEIGHT,
}


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinition,
    fragments: dict[str, FragmentDefinition],
    variables: dict,
) -> int:
    """The cost of running ``operation`` with these (coerced) ``variables``."""
    costed: dict[str, int] = {}

    def fragment(name: str) -> int:
        if name not in costed:
            definition = fragments[name]
            on = schema.get_type(definition.type_condition.name.value)
            costed[name] = selection_set(definition.selection_set, on)
        return costed[name]

    def selection_set(node: SelectionSet | None, parent_type) -> int:
        total = 0
        for selection in node.selections if node else ():
            if isinstance(selection, Field):
                total += field(selection, parent_type)
            elif isinstance(selection, FragmentSpread):
                total += fragment(selection.name.value)
            elif isinstance(selection, InlineFragment):
                condition = selection.type_condition
                on = schema.get_type(condition.name.value) if condition else None
                total += selection_set(selection.selection_set, on or parent_type)
        return total

    def field(node: Field, parent_type) -> int:
        definition = get_field_def(schema, parent_type, node.name.value)
        path = f"{parent_type.name}.{node.name.value}"
        weight = FIELD_WEIGHTS.get(path, 0)
        if not node.selection_set:
            return 1 + weight
        times = resolved_times(definition, node, path)
        inner = selection_set(node.selection_set, get_named_type(definition.type))
        return 1 + weight + times * inner

    def resolved_times(definition, node: Field, path: str) -> int:
        """How many objects the field's selections are resolved on, at most."""
        if "first" in definition.args:
            first = get_argument_values(definition.args, node.arguments, variables)
            # Outside 1..MAX_PAGE the resolver refuses before loading anything.
            return min(max(first.get("first") or 0, 0), MAX_PAGE)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            return LIST_SIZES.get(path, UNBOUNDED_LIST)
        return 1

    # Raises, as execution would, for an operation type the schema lacks.
    root = get_operation_root_type(schema, operation)
    return selection_set(operation.selection_set, root)
