"""The journey's GraphQL API (the plugin's schema), for each tenant's callers."""
