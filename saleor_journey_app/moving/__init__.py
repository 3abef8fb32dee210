"""Moving a store from the plugin to the app: its past read over Saleor's GraphQL."""
