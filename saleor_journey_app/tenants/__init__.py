"""One tenant per Saleor instance: its token, its settings, its own schema."""
