"""One synthetic report: who wrote it, for which year, its true cell values and its prose."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.extract.values import format_value
from pipeline.synth.values import Key

# Agencies as they title their reports, with the spellings real titles use.
AGENCIES = (
    "北京市东城区对外联络服务办公室",
    "西城区政府办公室",
    "东城区国资委",
    "北京市通州区",
    "北京市朝阳区市场监督管理局",
    "海淀区教育委员会",
    "北京市丰台区民政局",
    "石景山区住房和城乡建设委员会",
    "北京市顺义区卫生健康委员会",
    "昌平区司法局",
    "北京市大兴区生态环境局",
    "门头沟区人力资源和社会保障局",
    "北京市房山区交通局",
    "怀柔区文化和旅游局",
    "北京市密云区水务局",
    "延庆区农业农村局",
)


@dataclass
class Report:
    source_file: str
    agency: str
    year: int
    form_version: str
    values: dict[Key, Decimal]
    stated_new: Decimal  # 新收 as the prose states it; differs from the table only when planted
    published: int  # 主动公开政府信息N条: a prose figure with no table cell
    fee_notices: int
    cells: dict[Key, str] = field(default_factory=dict)  # the text each cell is written as
    deviation: str = ""  # the way it bends the form (pipeline.synth.deviations), or ''
    deviation_seed: int = 0  # draws the deviation's details alike in every rendering

    def value(self, code: str, cls: str | None = None) -> Decimal:
        table = "appeals" if code.split(".")[0] in ("review", "suit_direct", "suit_after_review") else ("requests" if cls else "proactive")
        return self.values[(table, code, cls)]


def title(report: Report) -> str:
    return f"{report.agency}{report.year}年政府信息公开工作年度报告"


def write_cells(rng: random.Random, report: Report) -> None:
    """How this agency writes its numbers: one zero style per report, as agencies do."""
    zero = rng.choice(("0",) * 6 + ("—", "-", "/", "无", ""))
    thousands = rng.random() < 0.2
    for key, value in report.values.items():
        text = format_value(value)
        if value == 0 and key[0] != "proactive" and rng.random() < 0.6:
            text = zero
        elif thousands and value >= 1000 and value == value.to_integral_value():
            text = f"{int(value):,}"
        if key[1] == "procurement.amount" and value and rng.random() < 0.5:
            text += "元"
        report.cells[key] = text


def publication_date(report: Report) -> str:
    """Published the January after the report year: a year on the page that is not the report's."""
    return f"{report.year + 1}-01-{20 + report.year % 10:02d}"


def publication_line(report: Report) -> str:
    return f"发布日期：{publication_date(report)}"


def section_one(report: Report) -> list[str]:
    y, v = report.year, report.value
    return [
        f"{y}年，{report.agency}认真贯彻落实《政府信息公开条例》，坚持以公开为常态、不公开为例外，"
        f"全年主动公开政府信息{report.published}条。",
        f"{y}年新收政府信息公开申请数量{format_value(report.stated_new)}件，上年结转政府信息公开申请"
        f"{format_value(v('carried_over', 'total'))}件，结转下年度继续办理{format_value(v('carried_forward', 'total'))}件。",
        f"全年发生政府信息公开行政复议{format_value(v('review.total'))}件，行政诉讼"
        f"{format_value(v('suit_direct.total') + v('suit_after_review.total'))}件。",
    ]


def section_five() -> list[str]:
    return [
        "存在的问题：一是重点领域信息公开的深度有待加强；二是政策解读形式较为单一。",
        "改进情况：进一步完善工作机制，加强业务培训，提升公开质量。",
    ]


def section_six(report: Report) -> list[str]:
    n = report.fee_notices
    return [
        f"根据《政府信息公开信息处理费管理办法》，{report.year}年度发出收费通知的件数为{n}件，"
        f"总金额为{n * 100}元，实际收取的总金额为{n * 100}元。"
    ]
