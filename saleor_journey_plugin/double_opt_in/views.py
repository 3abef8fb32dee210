"""The page a confirmation link opens.

GET shows a button and changes nothing; the button POSTs, and the POST
confirms. Mail scanners and link previews fetch every link in an email with
GET: if GET confirmed, a scanner would subscribe the address without its
owner ever seeing the email, which is what double opt-in is there to prevent.
Thin: the plugin's ``webhook`` (Saleor) and the example store's URLs route here.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.html import escape

from .. import service
from ..core import consent
from ..core.events import JourneyEventData
from ..core.host import get_host
from ..core.presets import Language
from ..core.recording import stored_key
from ..models import JourneyEvent

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;
padding:0 1rem;color:#222}}button{{font-size:1rem;padding:.6rem 1.2rem}}</style>
</head><body><h1>{title}</h1><p>{text}</p>{form}</body></html>"""
_FORM = '<form method="post"><button type="submit">{button}</button></form>'

# title, text (and the button) of each page, by language
TEXTS = {
    Language.EN: {
        "ask": (
            "Confirm your subscription",
            "Receive news and offers from {store} at this address?",
            "Confirm my subscription",
        ),
        "done": ("You are subscribed", "Thank you: {store} will write to you."),
        "already": (
            "You are already confirmed",
            "This subscription to {store} was confirmed before; nothing changed.",
        ),
        "expired": (
            "This link has expired",
            "Links work for {days} days. Sign up again on the store to get a new one.",
        ),
        "invalid": (
            "This link is not valid",
            "Please use the link from the email exactly as it was sent.",
        ),
    },
    Language.KO: {
        "ask": (
            "구독 확인",
            "이 주소로 {store}의 소식과 혜택을 받아 보시겠어요?",
            "구독 확인하기",
        ),
        "done": ("구독되었어요", "감사합니다. {store}의 소식을 보내 드릴게요."),
        "already": (
            "이미 확인된 구독이에요",
            "{store} 구독은 이미 확인되었어요. 바뀐 것은 없어요.",
        ),
        "expired": (
            "링크가 만료되었어요",
            "링크는 {days}일 동안 유효해요. 스토어에서 다시 신청해 주세요.",
        ),
        "invalid": (
            "올바른 링크가 아니에요",
            "메일에 있는 링크를 그대로 사용해 주세요.",
        ),
    },
}


def confirm(request: HttpRequest, channel: str, token: str) -> HttpResponse:
    """GET: a page with a button; POST: record the opt-in, once."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    settings = get_host().channel_settings(channel)
    language = settings.language if settings else Language.EN
    try:
        if settings is None:
            raise consent.InvalidConfirmation("The journey is off in this channel.")
        opt_in = consent.confirmed_opt_in(token)
        if opt_in.channel != channel:
            raise consent.InvalidConfirmation("The link names another channel.")
    except consent.ExpiredConfirmation:
        return _page(language, "expired", channel, status=400)
    except consent.InvalidConfirmation:
        return _page(language, "invalid", channel, status=400)
    if request.method == "POST":
        recorded = service.record_and_wake(opt_in)
        return _page(language, "done" if recorded else "already", channel)
    if _confirmed(opt_in):
        return _page(language, "already", channel)
    return _page(language, "ask", channel)


def _confirmed(opt_in: JourneyEventData) -> bool:
    return JourneyEvent.objects.filter(
        idempotency_key=stored_key(opt_in.idempotency_key)
    ).exists()


def _page(language: Language, name: str, channel: str, status: int = 200):
    title, text, *button = TEXTS[language][name]
    store = get_host().store_name(channel) if name != "invalid" else ""
    return HttpResponse(
        _PAGE.format(
            lang=language.value,
            title=escape(title),
            text=escape(text.format(store=store, days=consent.VALID_FOR.days)),
            form=_FORM.format(button=escape(button[0])) if button else "",
        ),
        status=status,
    )
