from graphql import GraphQLError


class JourneyGraphQLError(GraphQLError):
    """An answer for the client: shown as it is, never logged as a failure."""

    code = "INVALID"

    def __init__(self, message: str, field: str | None = None):
        extensions = {"exception": {"code": self.code}}
        if field:
            extensions["exception"]["field"] = field
        super().__init__(message, extensions=extensions)


class PermissionDenied(JourneyGraphQLError):
    code = "PermissionDenied"


class InvalidArgument(JourneyGraphQLError):
    code = "INVALID"


class QueryTooComplex(JourneyGraphQLError):
    """Refused before it runs: nested too deep or selecting too many fields."""

    code = "QUERY_TOO_COMPLEX"


class QueryCostError(QueryTooComplex):
    """Refused before it runs: it could cost more than a request may."""

    # Saleor's name and wording for the same refusal, so clients handle both alike.
    code = "QueryCostError"

    def __init__(self, cost: int, maximum: int):
        super().__init__(
            f"The query exceeds the maximum cost of {maximum}. Actual cost is {cost}"
        )
        self.extensions["cost"] = {
            "requestedQueryCost": cost,
            "maximumAvailable": maximum,
        }
