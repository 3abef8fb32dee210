"""Calls to a tenant's Saleor with its app token."""
