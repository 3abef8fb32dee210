"""The review webhook over HTTP: the adapters route POSTs here."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .payload import BodyTooLarge, check_size
from .receive import receive


@csrf_exempt
def review_webhook(request: HttpRequest, channel: str) -> HttpResponse:
    if request.method != "POST":
        response = JsonResponse({"error": "POST a signed review."}, status=405)
        response["Allow"] = "POST"
        return response
    try:
        # Refused on its declared length before a byte of it is read.
        check_size(int(request.META.get("CONTENT_LENGTH") or 0))
    except BodyTooLarge as error:
        return JsonResponse({"error": str(error)}, status=413)
    except ValueError:
        return JsonResponse({"error": "Bad Content-Length."}, status=400)
    answer = receive(channel, request.headers, request.body)
    return JsonResponse(answer.content, status=answer.status)
