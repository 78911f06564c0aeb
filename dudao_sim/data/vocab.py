"""Controlled vocabularies of the data tables, with Chinese and English labels.

The values are what the CSV files contain; the labels are what summaries, figures and the
dashboard show. Clause numbers refer to the Hunan implementing opinions
(关于深化新时代教育督导体制机制改革的实施意见).
"""

from __future__ import annotations

from enum import StrEnum


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

LABELS: dict[str, dict[str, str]] = {
    "province": {"zh": "省", "en": "province"},
    "city": {"zh": "市州", "en": "city"},
    "county": {"zh": "县市区", "en": "county"},
    "township": {"zh": "乡镇（街道）", "en": "township"},
    "prefecture_city": {"zh": "地级市", "en": "prefecture-level city"},
    "autonomous_prefecture": {"zh": "自治州", "en": "autonomous prefecture"},
    "district": {"zh": "市辖区", "en": "district"},
    "county_city": {"zh": "县级市", "en": "county-level city"},
    "autonomous_county": {"zh": "自治县", "en": "autonomous county"},
    "subdistrict": {"zh": "街道", "en": "subdistrict"},
    "town": {"zh": "镇", "en": "town"},
    "xiang": {"zh": "乡", "en": "township (xiang)"},
    "kindergarten": {"zh": "幼儿园", "en": "kindergarten"},
    "primary": {"zh": "小学", "en": "primary"},
    "junior_secondary": {"zh": "初中", "en": "junior secondary"},
    "senior_secondary": {"zh": "普通高中", "en": "senior secondary"},
    "secondary_vocational": {"zh": "中职", "en": "secondary vocational"},
    "higher_education": {"zh": "高等学校", "en": "higher education"},
    "public": {"zh": "公办", "en": "public"},
    "private": {"zh": "民办", "en": "private"},
    "government": {"zh": "政府", "en": "government"},
    "office": {"zh": "政府教育督导办", "en": "supervision office"},
    "school": {"zh": "学校", "en": "school"},
    "inspector": {"zh": "督学", "en": "inspector"},
}


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
    if lang not in ("zh", "en"):
        raise ValueError(f"lang: {lang!r} is not allowed; use 'zh' or 'en'")
    return LABELS.get(str(value), {}).get(lang, str(value))
