"""The WSGI application a server runs (``gunicorn saleor_journey_app.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_journey_app.settings")
application = get_wsgi_application()
