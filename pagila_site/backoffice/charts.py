"""Small server-side SVG charts for the admin dashboard: no JavaScript, no CDN.

Labels are escaped here, so the returned markup is safe to embed as is.
"""

from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _nice_max(value: Number) -> float:
    """Round the axis maximum up to 1, 2 or 5 times a power of ten."""
    value = float(value) or 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return value


def hbar_chart(
    rows: Sequence[tuple[str, Number]],
    *,
    title: str,
    fmt: Callable[[Number], str] = str,
    width: int = 560,
    bar_color: str = "#417690",
) -> SafeString:
    """Horizontal bars, one per (label, value), largest scale first as given."""
    label_width, value_width, row_height, top = 170, 70, 22, 30
    height = top + row_height * len(rows) + 10
    scale = _nice_max(max((v for _, v in rows), default=0))
    plot = width - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" {_FONT} font-weight="bold" font-size="14">{escape(title)}</text>',
    ]
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        bar = plot * float(value) / scale
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" {_FONT}>{escape(str(label))}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar:.1f}" height="{row_height - 6}" '
            f'fill="{bar_color}">'
            f"<title>{escape(str(label))}: {escape(fmt(value))}</title></rect>"
            f'<text x="{label_width + bar + 6:.1f}" y="{y + 15}" {_FONT}>{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def column_chart(
    points: Sequence[tuple[str, Number]],
    *,
    title: str,
    y_label: str,
    width: int = 760,
    height: int = 260,
    bar_color: str = "#79aec8",
) -> SafeString:
    """Vertical columns for a time series; every few x labels are shown to stay legible."""
    left, right, top, bottom = 48, 10, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = _nice_max(max((v for _, v in points), default=0))
    slot = plot_w / max(len(points), 1)
    every = max(1, len(points) // 10)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" {_FONT} font-weight="bold" font-size="14">{escape(title)}</text>',
        f'<text x="12" y="{top + plot_h / 2}" {_FONT} transform="rotate(-90 12 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(y_label)}</text>',
    ]
    for tick in range(5):
        value = scale * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" {_FONT}>{value:g}</text>'
        )
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * float(value) / scale
        x = left + index * slot
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(slot - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="{bar_color}"><title>{escape(str(label))}: {value}</title></rect>'
        )
        if index % every == 0:
            lx, ly = x + slot / 2, top + plot_h + 14
            parts.append(
                f'<text x="{lx:.1f}" y="{ly}" {_FONT} text-anchor="end" '
                f'transform="rotate(-35 {lx:.1f} {ly})">{escape(str(label))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
