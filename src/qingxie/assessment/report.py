"""The assessment report of a region in a round, as Word (python-docx) and PDF (fpdf2).

The content is built once (`report_content`) and laid out twice. The reports app's bulletin
helpers are specific to the bulletin's masthead and live in the shell, which a domain app may
not import, so this is a plain document: a title, paragraphs and tables.
"""

from __future__ import annotations

import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from qingxie.core.errors import QingxieError

FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
)


@dataclass
class ReportContent:
    """What the report says: a title, a subtitle, then sections of paragraphs and tables."""

    title: str
    subtitle: str
    sections: list[tuple[str, list[str], list[list[list[str]]]]] = field(default_factory=list)


def report_content(user, rnd, region) -> ReportContent:
    """Tier distribution, dimension averages against the parent region, the weakest
    indicators, the ranking and the 示范 list of `region` in `rnd` (read through the gate)."""
    from qingxie.assessment.selectors import candidates_for, region_summary

    s = region_summary(user, rnd, region)
    content = ReportContent(
        title=f"{region.name}{rnd.year}年度县级青年志愿者协会建设评估报告",
        subtitle=f"{rnd.name} · 数据截止日期 {rnd.cut_off:%Y年%m月%d日}",
    )
    tiers = "、".join(f"{t['name']}{t['count']}个" for t in s["tiers"])
    content.sections.append(
        (
            "一、总体情况",
            [
                f"{region.name}共有{s['count']}个县级青年志愿者协会参评，已提交自评{s['submitted']}个，"
                f"经省级确认{s['confirmed']}个。按分类指导档次：{tiers}。"
            ],
            [[["档次", "协会数"], *[[t["name"], str(t["count"])] for t in s["tiers"]]]],
        )
    )
    dims = [["维度", "满分", "本地区平均", "上级地区平均"]]
    for d in s["dimensions"]:
        dims.append(
            [
                d["name"],
                f"{d['max']:g}",
                "—" if d["average"] is None else f"{d['average']}",
                "—" if d["parent"] is None else f"{d['parent']}",
            ]
        )
    content.sections.append(("二、各维度得分", [], [dims]))
    weak = [["指标", "分值", "平均得分", "得分率"]] + [
        [w["name"], f"{w['weight']:g}", f"{w['average']}", f"{w['percent']}%"] for w in s["weakest"]
    ]
    content.sections.append(
        ("三、薄弱指标", ["以下指标平均得分率最低，宜作为下一年度分类指导和培训的重点。"], [weak])
    )
    rank = [["名次", "协会", "区划", "总分", "档次"]] + [
        [
            str(r["rank"]),
            r["sheet"].association.name,
            r["sheet"].region.name,
            f"{r['sheet'].total}",
            r["sheet"].tier,
        ]
        for r in s["ranking"][:50]
    ]
    content.sections.append(("四、排名（前50名）", [], [rank]))
    picked = [c for c in candidates_for(user, rnd.year) if c.region_path.startswith(region.path)]
    demo = [["协会", "状态"]] + [[c.association.name, c.get_state_display()] for c in picked]
    content.sections.append(
        (
            "五、示范县级青年志愿者协会",
            [
                f"本年度推荐{len(picked)}个，入选{sum(1 for c in picked if c.state == 'selected')}个。"
            ],
            [demo] if picked else [],
        )
    )
    return content


def report_docx(content: ReportContent) -> bytes:
    """The report as a Word document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()

    def run_font(run, size, bold=False):
        run.font.name = "仿宋"
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
        run.font.size = Pt(size)
        run.font.bold = bold

    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run_font(p.add_run(content.title), 18, True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run_font(p.add_run(content.subtitle), 11)
    for heading, paragraphs, tables in content.sections:
        run_font(doc.add_paragraph().add_run(heading), 14, True)
        for text in paragraphs:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = Pt(24)
            run_font(para.add_run(text), 12)
        for rows in tables:
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, text in enumerate(row):
                    cell = table.cell(i, j)
                    cell.text = ""
                    run_font(cell.paragraphs[0].add_run(text), 10.5, i == 0)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@functools.cache
def _cjk_face() -> tuple[str, int]:
    """The Noto Sans CJK SC face (file and index in its collection) installed on the machine."""
    from fontTools.ttLib import TTCollection

    dirs = [os.environ.get("QINGXIE_FONT_DIR", ""), *FONT_DIRS]
    for d in filter(None, dirs):
        path = Path(d) / "NotoSansCJK-Regular.ttc"
        if path.exists():
            for index, font in enumerate(TTCollection(str(path)).fonts):
                if font["name"].getDebugName(1) == "Noto Sans CJK SC":
                    return str(path), index
    raise QingxieError("服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF；可下载 Word 版。")


def report_pdf(content: ReportContent) -> bytes:
    """The report as a PDF with the Chinese face embedded."""
    from fpdf import FPDF

    path, index = _cjk_face()
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, content.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.multi_cell(0, 6, content.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, paragraphs, tables in content.sections:
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=11)
        for text in paragraphs:
            pdf.multi_cell(0, 6.5, "　　" + text, new_x="LMARGIN", new_y="NEXT")
        for rows in tables:
            pdf.set_font("cjk", size=9.5)
            with pdf.table(first_row_as_headings=False, line_height=6) as table:
                for row in rows:
                    r = table.row()
                    for text in row:
                        r.cell(text)
            pdf.ln(3)
    return bytes(pdf.output())
