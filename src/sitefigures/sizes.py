"""The figures' colour schemes and sizes, without matplotlib.

`sitefigures.style` draws with these; the build's hooks read them (the
<picture> element's media query, the list of styles) without importing
matplotlib, which a build whose figures are all cached never needs.
"""

from dataclasses import dataclass, replace

# A palette that reads on white and on Material's slate background alike:
# Okabe-Ito, distinguishable with the common forms of colour blindness.
SERIES = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"]

#: A 375 px phone shows the page's column 343 px wide (0.8 rem margins).
PHONE_COLUMN_PX = 343
#: The smallest text, in CSS px, a figure may show on that phone.
MIN_PHONE_TEXT_PX = 11
#: The narrow variants' width (inches; 1 in = 96 CSS px at scale 1).
NARROW_WIDTH = 4.0
#: The narrow variants are shown up to this viewport width (see
#: hooks/lean.py, which writes the <picture> element).
NARROW_MEDIA = "(max-width: 40em)"


@dataclass(frozen=True)
class Style:
    name: str
    text: str
    grid: str
    dark: bool = False
    narrow: bool = False
    font_size: float = 10


LIGHT = Style("light", text="#1f1f1f", grid="#d0d0d0")
DARK = Style("dark", text="#e6e6e6", grid="#4a4a4a", dark=True)
LIGHT_NARROW = replace(LIGHT, name="light-narrow", narrow=True, font_size=12)
DARK_NARROW = replace(DARK, name="dark-narrow", narrow=True, font_size=12)
STYLES = (LIGHT, DARK, LIGHT_NARROW, DARK_NARROW)
