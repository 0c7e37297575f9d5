"""Score bands: the one definition every renderer uses (terminal table, HTML report and index).

A score is in the first band whose `minimum` it reaches; the last band takes
every score below the others. A session or segment without a score (not
assessed) has no band: the HTML calls that "none", the terminal says so in words.

The words shown to readers ("90 or above", the legend's "score 90+") are derived
from the thresholds, so they cannot disagree with the colours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    name: str  # the word on the page and the HTML/CSS class: green, amber, red
    minimum: float  # lowest score in the band, inclusive (-inf for the last band)
    terminal: str  # rich style in the terminal table
    colour: str  # HTML: text colour (CSS --NAME)
    background: str  # HTML: badge background (CSS --NAME-bg)
    fill: str  # HTML: chart columns, bars and legend swatches (CSS --NAME-fill)

    @property
    def upper(self) -> float | None:
        """The next band's minimum (scores in this band stay below it); None for the top band."""
        i = BANDS.index(self)
        return BANDS[i - 1].minimum if i else None

    @property
    def words(self) -> str:
        """The band's range in words: '90 or above', '70 to 89.9', 'below 70'."""
        if self.upper is None:
            return f"{self.minimum:g} or above"
        if self.minimum == float("-inf"):
            return f"below {self.upper:g}"
        return f"{self.minimum:g} to {self.upper - 0.1:g}"

    @property
    def legend(self) -> str:
        """The band in the chart's legend: 'score 90+', '70\u201389.9', 'below 70'."""
        if self.upper is None:
            return f"score {self.minimum:g}+"
        if self.minimum == float("-inf"):
            return f"below {self.upper:g}"
        return f"{self.minimum:g}\u2013{self.upper - 0.1:g}"


BANDS: tuple[Band, ...] = (
    Band("green", 90, terminal="green", colour="#2c7a4b", background="#e5f2ea", fill="#78b48b"),
    Band("amber", 70, terminal="yellow", colour="#8f6200", background="#fbf0d6", fill="#e4b95a"),
    Band("red", float("-inf"), terminal="red", colour="#a8362b", background="#f9e4e1", fill="#db8277"),
)

NOT_ASSESSED = "none"  # the HTML class of a missing score


def band_for(score: float) -> Band:
    """The band of a score."""
    for b in BANDS:
        if score >= b.minimum:
            return b
    return BANDS[-1]  # NaN: no real score, kept in the lowest band as before


def band_name(score: float | None) -> str:
    """green / amber / red, or 'none' when there is no score (not assessed)."""
    return NOT_ASSESSED if score is None else band_for(score).name


def thresholds() -> tuple[float, ...]:
    """The band boundaries, highest first (90, 70): the chart draws a gridline at each."""
    return tuple(b.minimum for b in BANDS if b.minimum != float("-inf"))


def css_variables(indent: str = "  ") -> str:
    """The bands' colours as CSS custom properties, one line per band, for the report's :root."""
    return "\n".join(
        f"{indent}--{b.name}: {b.colour}; --{b.name}-bg: {b.background}; --{b.name}-fill: {b.fill};" for b in BANDS
    )
