"""Installing the app in a Saleor: the manifest and the token's registration."""
