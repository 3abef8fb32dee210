"""What the app serves to anyone, per tenant: the links in its emails and the
review service's webhook, under ``/t/<tenant id>/``.

Nobody who follows these sends a Saleor token or header, so the path names
the tenant. The id proves nothing: each link's token is signed for its tenant
(``Host.scope``) and each review is signed with the channel's secret.
"""
