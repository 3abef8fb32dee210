"""The journey map page: one static HTML page that reads ``journeyReport``.

The page carries no store data. Its script signs staff in (Saleor's
``tokenCreate``, or a pasted token), calls the channel's journey endpoint and
draws everything in the browser, from files shipped inside this package.
"""
