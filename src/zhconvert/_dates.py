"""Dates as the writers show them, for any year a post may claim (1 to 9999).

Feeds hold dates far in the past or future (a post dated 2189 is in the corpus). Python's
``datetime`` covers years 1 to 9999 only, so moving a time to another zone can overflow at the
edges (9999-12-31 23:30 -05:00 is year 10000 in UTC), and ``strftime("%Y")`` does not pad years
before 1000 on every platform. These helpers never raise and always write four-digit years.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "CHINA",
    "ZIP_FIRST",
    "ZIP_LAST",
    "format_day",
    "format_local",
    "format_shown",
    "in_zone",
    "shown",
    "zip_time",
    "zone_name",
]

#: China time, the zone of the sites the posts come from.
CHINA = dt.timezone(dt.timedelta(hours=8))

#: The first and last times a zip entry can hold (MS-DOS dates: 1980 to 2107, even seconds).
ZIP_FIRST = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
ZIP_LAST = dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)


def in_zone(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """Return ``value`` in ``zone``; a time beyond year 1 or 9999 there becomes the first or last.

    A naive ``value`` is taken to be in ``zone`` already.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=zone)
    try:
        return value.astimezone(zone)
    except OverflowError:
        edge = dt.datetime.max if value.year > 1 else dt.datetime.min
        return edge.replace(tzinfo=zone)


def format_day(value: dt.datetime) -> str:
    """Return ``YYYY-MM-DD`` with a four-digit year, in ``value``'s own zone."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_local(value: dt.datetime, zone: dt.tzinfo) -> str:
    """Return ``YYYY-MM-DD HH:MM`` for ``value`` in ``zone``."""
    local = in_zone(value, zone)
    return f"{format_day(local)} {local.hour:02d}:{local.minute:02d}"


def shown(value: dt.datetime) -> dt.datetime:
    """Return a post's time in the zone every writer shows it in (see docs/formats.md).

    That is the post's own offset when its source gave one other than UTC; else China time. A
    UTC time says nothing about where a post was written: RSS feeds (RSSHub's) write every date
    in GMT, and the posts are from Chinese sites. A time without a zone is China time already.
    """
    offset = value.utcoffset() if value.tzinfo is not None else None
    if offset:  # neither naive nor UTC
        return value
    return in_zone(value, CHINA)


def zone_name(value: dt.datetime) -> str:
    """Return ``UTC+08:00`` for a time with that offset (``UTC`` for none)."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def format_shown(value: dt.datetime) -> str:
    """Return ``YYYY-MM-DD HH:MM UTC+08:00``: a post's time as every writer shows it."""
    local = shown(value)
    return f"{format_local(local, local.tzinfo or CHINA)} {zone_name(local)}"


def zip_time(value: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC, to the second, moved into the range a zip file can record."""
    utc = in_zone(value, dt.timezone.utc).replace(microsecond=0)
    return min(max(utc, ZIP_FIRST), ZIP_LAST)
