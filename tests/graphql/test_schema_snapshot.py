"""The committed schema and example operations stay in step with the code."""

from pathlib import Path

import pytest
from graphql.language.parser import parse
from graphql.validation import validate

from saleor_journey_plugin.graphql.schema import schema
from saleor_journey_plugin.management.commands.export_journey_schema import schema_sdl

GRAPHQL_DIR = Path(__file__).resolve().parents[2] / "graphql"
EXAMPLES = GRAPHQL_DIR / "examples"
EXPECTED_EXAMPLES = [
    "adjust_loyalty_points.graphql",
    "campaign_messages.graphql",
    "customer_data_export.graphql",
    "customer_journey.graphql",
    "customer_loyalty.graphql",
    "customers_by_stage.graphql",
    "journey_campaigns.graphql",
    "journey_report.graphql",
    "loyalty_report.graphql",
    "my_journey.graphql",
    "my_loyalty.graphql",
    "redeem_loyalty_points.graphql",
    "reviews.graphql",
    "stage_distribution.graphql",
    "track_visit.graphql",
]


def test_committed_schema_matches_the_code():
    # given
    committed = (GRAPHQL_DIR / "schema.graphql").read_text(encoding="utf-8")

    # when
    generated = schema_sdl()

    # then
    assert committed == generated, (
        "graphql/schema.graphql is out of date with the GraphQL code: "
        "run `make schema` and commit graphql/schema.graphql."
    )


def test_every_documented_example_is_there():
    assert sorted(p.name for p in EXAMPLES.glob("*.graphql")) == EXPECTED_EXAMPLES


@pytest.mark.parametrize("name", EXPECTED_EXAMPLES)
def test_example_operation_is_valid_against_the_schema(name):
    # given
    document = parse((EXAMPLES / name).read_text(encoding="utf-8"))

    # when
    errors = validate(schema, document)

    # then
    assert [error.message for error in errors] == []
    assert len(document.definitions) >= 1
    assert all(
        definition.name is not None and definition.name.value
        for definition in document.definitions
    ), "Name every operation and fragment, as storefront code generators need."
