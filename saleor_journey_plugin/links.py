"""The links in the plugin's emails, as every host routes them.

A host serves each under its public base for a channel (``Host.public_url``):
``<base>/<name>/<token>/``. Saleor's plugin, the example store and the Saleor
App all route from this map, so a new link is added here once.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .campaigns import views as campaign_views
from .double_opt_in import message as opt_in_message
from .double_opt_in import views as opt_in_views

LinkView = Callable[[HttpRequest, str, str], HttpResponse]

EMAIL_LINKS: dict[str, LinkView] = {
    "unsubscribe": campaign_views.unsubscribe,
    "click": campaign_views.click,
    opt_in_message.LINK: opt_in_views.confirm,
}
