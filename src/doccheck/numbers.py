"""Compare a number as shown on a page with the value code computed.

A shown number carries its own precision: '0.881' claims three decimals,
'9.5e-7' two significant digits, '175,181,291,520' an exact integer. The
computed value is formatted the same way (Python's correctly rounded
formatting) and the two strings must be equal. So 0.881 passes for
0.88079707 and 0.882 fails.
"""

import numbers as _numbers
import re

import numpy as np

SHOWN = re.compile(
    r"(?P<sign>[-\u2212]?)(?P<int>[\d,]+)(?:\.(?P<frac>\d+))?"
    r"(?:[eE](?P<exp>[-+\u2212]?\d+))?$"
)


class ValueProblem(Exception):
    """A marker's value that cannot be compared with a number."""


def flatten(value):
    """The marker's value as a flat list of real numbers."""
    if isinstance(value, bool | np.bool_):
        raise ValueProblem(f"value is a bool ({value}), not a number")
    if isinstance(value, _numbers.Real):
        return [float(value) if not isinstance(value, int) else value]
    if isinstance(value, np.ndarray):
        if not np.issubdtype(value.dtype, np.number) or np.iscomplexobj(value):
            raise ValueProblem(f"value is an array of {value.dtype}")
        return [v for item in value.ravel().tolist() for v in flatten(item)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in flatten(item)]
    raise ValueProblem(
        f"value is a {type(value).__name__} ({value!r:.60}); a marker must "
        "give a number or a sequence of numbers"
    )


def render(shown, value):
    """Format `value` in the style and at the precision of `shown`."""
    try:
        return _render(shown, value)
    except (OverflowError, ValueError, TypeError) as exc:
        raise ValueProblem(
            f"cannot format {value!r:.40} like {shown!r}: {exc}"
        ) from None


def _render(shown, value):
    m = SHOWN.match(shown)
    if not m:
        raise ValueProblem(f"cannot read {shown!r} as a number")
    minus = "\u2212" if m.group("sign") == "\u2212" else "-"
    frac = m.group("frac") or ""
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if m.group("exp") is not None:
        text = f"{value:.{len(frac)}e}"
        mantissa, exp = text.split("e")
        exp_shown = m.group("exp").replace("\u2212", "-")
        exp_text = str(int(exp))
        if exp_shown.startswith("+"):
            exp_text = f"+{exp_text}" if int(exp) >= 0 else exp_text
        text = f"{mantissa}{shown[m.start('exp') - 1]}{exp_text}"
    else:
        comma = "," if "," in m.group("int") else ""
        text = f"{value:{comma}.{len(frac)}f}"
    if re.fullmatch(r"-[0.,]*(e.*)?", text, re.I):
        text = text[1:]  # no '-0.000'
    return text.replace("-", minus) if minus != "-" else text


def matches(shown, value):
    """True if `value`, rounded as `shown` is, reads exactly `shown`."""
    return render(shown, value) == shown
