from graphql import GraphQLError


class JourneyGraphQLError(GraphQLError):
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
