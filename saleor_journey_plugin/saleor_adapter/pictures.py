"""Pictures of products in campaign emails, as Saleor serves them."""

from collections.abc import Iterable

from saleor.core.utils import build_absolute_uri
from saleor.product.models import ProductMedia
from saleor.thumbnail.models import Thumbnail
from saleor.thumbnail.utils import get_image_or_proxy_url, get_thumbnail_size

PICTURE_SIZE = get_thumbnail_size(256)


def pictures_of(product_ids: Iterable[int]) -> dict[int, str]:
    """Product id -> the absolute URL of its first medium's thumbnail, as
    Saleor's GraphQL ``Product.thumbnail(size:)`` gives it: the stored
    thumbnail's file, else Saleor's thumbnail view, which makes it (a video's
    own preview picture for a video)."""
    first = list(
        ProductMedia.objects.filter(product_id__in=set(product_ids))
        .order_by("product_id", "sort_order", "pk")
        .distinct("product_id")
    )
    stored = {
        thumbnail.product_media_id: thumbnail
        for thumbnail in Thumbnail.objects.filter(
            product_media_id__in=[media.pk for media in first],
            size=PICTURE_SIZE,
            format__isnull=True,
        )
    }
    pictures = {}
    for media in first:
        preview = (media.oembed_data or {}).get("thumbnail_url")
        url = preview or get_image_or_proxy_url(
            stored.get(media.pk), media.pk, "ProductMedia", PICTURE_SIZE, None
        )
        pictures[media.product_id] = build_absolute_uri(url)
    return pictures
