"""Calling the journey API as a storefront or staff does, and its errors' shape."""

import json

STAFF = {"permissions": ["MANAGE_USERS"]}
CUSTOMER_JOURNEY = """
query($email: String, $userId: String) {
  customerJourney(email: $email, userId: $userId) {
    customer { userId email } stage stageLabel paidOrders
  }
}
"""


def graphql(client, query, variables=None, *, token="", channel="web-usd"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables or {}}
    return client.post(
        f"/graphql/{channel}/",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def error(message, code, path, line, column, field=None):
    exception = {"code": code}
    if field:
        exception["field"] = field
    return {
        "message": message,
        "locations": [{"line": line, "column": column}],
        "path": path,
        "extensions": {"exception": exception},
    }
