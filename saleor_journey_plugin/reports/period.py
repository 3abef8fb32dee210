"""The calendar days a report covers, in the channel's time zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Three years, one of them a leap year.
MAX_DAYS = 1096


@dataclass(frozen=True)
class Period:
    """Calendar days ``[start, end)`` in ``time_zone`` (an IANA name).

    ``start`` is the API's ``from`` (the first day in the period) and ``end``
    its ``to`` (the first day after it). A day starts at local midnight; where
    a daylight-saving change skips midnight, the day starts at the change.
    """

    start: date
    end: date
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        for name, day in (("from", self.start), ("to", self.end)):
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(
                    f"`{name}` must be a calendar day (a date), got {day!r}."
                )
        if self.end <= self.start:
            raise ValueError(
                f"`to` ({self.end}) must be a later day than `from` ({self.start}): "
                "a period covers the days from `from` up to, not including, `to`."
            )
        if self.days > MAX_DAYS:
            raise ValueError(
                f"`to` is {self.days} days after `from`; a period covers at most "
                f"{MAX_DAYS} days (3 years)."
            )
        try:
            self.zone  # noqa: B018 (validates the name)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(
                f"`time_zone` {self.time_zone!r} is not an IANA time zone name "
                "(such as 'UTC' or 'Asia/Seoul')."
            ) from None
        try:
            self.start_utc, self.end_utc  # noqa: B018 (in range after conversion)
        except OverflowError:
            raise ValueError(
                f"`from` ({self.start}) or `to` ({self.end}) is out of range."
            ) from None

    @property
    def zone(self) -> ZoneInfo:
        if not self.time_zone:
            raise ValueError("empty time zone")
        return ZoneInfo(self.time_zone)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def start_utc(self) -> datetime:
        """The first instant of the period."""
        return local_midnight(self.start, self.zone)

    @property
    def end_utc(self) -> datetime:
        """The first instant after the period."""
        return local_midnight(self.end, self.zone)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``zone``, in UTC."""
    # fold=0 maps a skipped midnight (a DST gap) to the instant the gap starts,
    # and a repeated one to its first occurrence: the start of the day either way.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(value: datetime | date, zone: ZoneInfo) -> date:
    """The calendar day in ``zone`` of a truncated timestamp the database returned."""
    if isinstance(value, datetime):
        return value.astimezone(zone).date()
    return value
