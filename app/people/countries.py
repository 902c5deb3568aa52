"""ISO 3166-1 alpha-2: the officially assigned country codes (249 of them).

Written out here rather than taken from a dependency so that the accepted set changes only by
a reviewed edit. User-assigned codes such as XK (Kosovo) and exceptionally reserved ones such as
UK and EU are not officially assigned and are refused.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

# One line per initial letter reads and reviews better than 249 quoted items.
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
        BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
        DE DJ DK DM DO DZ
        EC EE EG EH ER ES ET
        FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
        HK HM HN HR HT HU
        ID IE IL IM IN IO IQ IR IS IT
        JE JM JO JP
        KE KG KH KI KM KN KP KR KW KY KZ
        LA LB LC LI LK LR LS LT LU LV LY
        MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
        NA NC NE NF NG NI NL NO NP NR NU NZ
        OM
        PA PE PF PG PH PK PL PM PN PR PS PT PW PY
        QA
        RE RO RS RU RW
        SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
        TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
        UA UG UM US UY UZ
        VA VC VE VG VI VN VU
        WF WS
        YE YT
        ZA ZM ZW
    """.split()
)


@cache
def _names() -> dict[str, str]:
    """Code -> English short name, from the country list the checker also reads (its first
    name on each line)."""
    text = resources.files("app.confidentiality.data").joinpath("countries.txt").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            code, names, _ = line.split("|")
            out[code] = names.split(";")[0].strip()
    return out


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code ('AF' -> 'Afghanistan'); the
    code itself for one the list does not name."""
    return _names().get(code.upper(), code)
