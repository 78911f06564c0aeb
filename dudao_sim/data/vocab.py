"""Controlled vocabularies of the data tables, with Chinese and English labels.

The values are what the CSV files contain; the labels (table ``vocab`` of the text catalogue
:mod:`dudao_sim.i18n`) are what summaries, figures and the dashboard show. Clause numbers
refer to the Hunan implementing opinions (关于深化新时代教育督导体制机制改革的实施意见).
"""

from __future__ import annotations

from enum import StrEnum

from dudao_sim.i18n import check_lang, has_text, text


class Level(StrEnum):
    """Administrative level of a government (clause 一: province, 市州, 县市区; clause 五: 乡镇)."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


class DivisionType(StrEnum):
    """Type of an administrative division (GB/T 2260 usage)."""

    PROVINCE = "province"
    PREFECTURE_CITY = "prefecture_city"
    AUTONOMOUS_PREFECTURE = "autonomous_prefecture"
    DISTRICT = "district"
    COUNTY_CITY = "county_city"
    COUNTY = "county"
    AUTONOMOUS_COUNTY = "autonomous_county"


class TownshipType(StrEnum):
    """Type of a township-level unit (街道 / 镇 / 乡)."""

    SUBDISTRICT = "subdistrict"
    TOWN = "town"
    XIANG = "xiang"


class SchoolType(StrEnum):
    """School types of the bundled school table (clause 六)."""

    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    SECONDARY_VOCATIONAL = "secondary_vocational"
    HIGHER_EDUCATION = "higher_education"


class Ownership(StrEnum):
    """Public or private (民办) school; private schools are supervised in every respect (六)."""

    PUBLIC = "public"
    PRIVATE = "private"


#: County-level division types (县市区).
COUNTY_TYPES: tuple[DivisionType, ...] = (
    DivisionType.DISTRICT,
    DivisionType.COUNTY_CITY,
    DivisionType.COUNTY,
    DivisionType.AUTONOMOUS_COUNTY,
)

#: City-level division types (市州).
CITY_TYPES: tuple[DivisionType, ...] = (
    DivisionType.PREFECTURE_CITY,
    DivisionType.AUTONOMOUS_PREFECTURE,
)

#: School types supervised by the province office (clause 六: 省级…重点对高等学校进行督导).
PROVINCE_SUPERVISED: frozenset[SchoolType] = frozenset({SchoolType.HIGHER_EDUCATION})

#: School types that must have a badged responsibility-zone inspector (clause 六: 中小学校、幼儿园).
BADGED_TYPES: frozenset[SchoolType] = frozenset(SchoolType) - PROVINCE_SUPERVISED


def label(value: str, lang: str = "en") -> str:
    """Return the Chinese or English label of a vocabulary value.

    Args:
        value: A vocabulary value such as ``"kindergarten"``.
        lang: ``"zh"`` or ``"en"``.

    Returns:
        The label, or the value itself when no label is defined.

    Raises:
        ValueError: If ``lang`` is not ``"zh"`` or ``"en"``.
    """
    check_lang(lang)
    key = f"vocab.{value}"
    return text(key, lang) if has_text(key) else str(value)
