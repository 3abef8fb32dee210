"""Who calls the app's API: Saleor's own tokens, checked against the tenant."""
