"""Structure patterns of real government documents (issue 12), each on small hand-written text.

The golden files in tests/data/segment (24-36) hold whole documents; these tests pin the one behaviour
each pattern is about, in the shapes a document may take it.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.document import Document
from pipeline.readers import read_document_text
from pipeline.segment import (
    clean_text,
    format_outline,
    join_wrapped_lines,
    segment,
    split_front_matter,
    take_yaml_front_matter,
)
from pipeline.segment.paragraphs import _display_width

from .conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "segment"


def markers(doc: Document) -> list[str]:
    return [s.marker for s in doc.walk_sections()]


def texts(doc: Document) -> list[str]:
    return [seg.zh for seg in doc.all_segments()]


# --- 1. tables of contents ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "toc",
    [
        "目　录\n第一章　总体要求\n第一节　指导思想\n第二章　主要任务\n",
        "目录\n第一章 总体要求……………1\n第一节 指导思想……………2\n第二章 主要任务……………5\n",
        "目录 第一章 总体要求 1 第一节 指导思想 2 第二章 主要任务 5\n",
        "目录\n前言\n第一章 总体要求\n第一节 指导思想\n第二章 主要任务\n结束语\n",
    ],
    ids=["one-per-line", "leaders-and-pages", "one-line", "unmarked-entries"],
)
def test_table_of_contents_is_text_and_the_body_headings_rule(toc: str):
    body = "第一章　总体要求\n第一节　指导思想\n坚持稳中求进。\n第二章　主要任务\n扩大内需。"
    doc = segment("某市“十四五”规划纲要\n" + toc + body)
    assert [(s.marker, s.title.zh) for s in doc.walk_sections()] == [
        ("第一章", "总体要求"), ("第一节", "指导思想"), ("第二章", "主要任务")
    ]  # fmt: skip
    assert texts(doc)[0].startswith("目") and "坚持稳中求进。" in texts(doc)
    assert "".join("".join(seg.zh for seg in doc.preamble).split()) == "".join(toc.split())


def test_a_word_like_mulu_in_running_text_is_not_a_toc():
    doc = segment("某县工作报告\n一、总体情况\n目录清单管理制度全面实行。\n二、下一步打算\n坚持稳中求进。")
    assert markers(doc) == ["一、", "二、"]


# --- 2. titles over several lines ---------------------------------------------------------------

THREE_LINE_TITLE = ["国务院关于在某某先行区", "暂时调整实施《某某条例》", "有关规定的决定"]


def test_title_over_three_lines_is_whole():
    doc = segment("\n".join(THREE_LINE_TITLE) + "\n国发〔2019〕12号\n各省、自治区、直辖市人民政府：\n现决定如下。")
    assert doc.title.zh == "".join(THREE_LINE_TITLE)
    assert texts(doc) == ["现决定如下。"]


def test_title_over_three_paragraphs_of_a_web_page():
    page = "".join(f"<p>{line}</p>" for line in THREE_LINE_TITLE) + "<p>各有关单位：</p><p>现决定如下。</p>"
    doc = segment(page)
    assert (doc.title.zh, doc.salutation, texts(doc)) == ("".join(THREE_LINE_TITLE), "各有关单位：", ["现决定如下。"])


def test_a_first_title_line_ending_in_a_kind_word_is_not_yet_whole():
    doc = segment("关于进一步加强城市规划\n建设管理工作的若干意见\n各有关单位：\n现提出如下意见。")
    assert doc.title.zh == "关于进一步加强城市规划建设管理工作的若干意见"
    doc = segment("关于印发某县国土空间规划\n（2021—2035年）的通知\n各有关单位：\n现印发给你们。")
    assert doc.title.zh == "关于印发某县国土空间规划（2021—2035年）的通知"


def test_a_title_line_then_a_short_body_line_is_not_joined():
    doc = segment("某市2023年上半年经济运行情况\n经济运行总体平稳\n一、工业\n增长5%。")
    assert doc.title.zh == "某市2023年上半年经济运行情况"


# --- 3. document numbers and addressees ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "关于做好劳动保障工作的通知\n劳社部发[2006]7号\n各省、自治区、直辖市劳动和社会保障厅（局）：\n现就有关问题通知如下。",
        "关于做好劳动保障工作的通知劳社部发[2006]7号\n各省、自治区、直辖市劳动和社会保障厅（局）：\n现就有关问题通知如下。",
        "关于做好劳动保障工作的通知 劳社部发[2006]7号 各省、自治区、直辖市劳动和社会保障厅（局）： 现就有关问题通知如下。",
        "劳社部发[2006]7号 关于做好劳动保障工作的通知\n各省、自治区、直辖市劳动和社会保障厅（局）：\n现就有关问题通知如下。",
    ],
    ids=["own-line", "glued-to-title", "one-line-document", "number-first"],
)
def test_document_number_and_addressee_go_to_front_matter(text: str):
    doc = segment(text)
    assert doc.title.zh == "关于做好劳动保障工作的通知"
    assert doc.meta == {"发文字号": "劳社部发[2006]7号"}
    assert doc.salutation == "各省、自治区、直辖市劳动和社会保障厅（局）："
    assert texts(doc) == ["现就有关问题通知如下。"]


def test_one_line_reply_keeps_its_body_and_signature():
    doc = segment("国务院关于同意设立某某新区的批复 国函〔2003〕88号 某某省人民政府： 你省请示收悉。现批复如下： "
                  "一、同意设立某某新区。 二、要坚持高起点规划。 国务院 二〇〇三年五月八日")  # fmt: skip
    assert (doc.title.zh, doc.meta["发文字号"], doc.salutation) == ("国务院关于同意设立某某新区的批复", "国函〔2003〕88号", "某某省人民政府：")
    assert (doc.issuer, doc.date) == ("国务院", "二〇〇三年五月八日")
    assert markers(doc) == ["一、", "二、"] and texts(doc) == ["你省请示收悉。", "现批复如下："]


# --- 4. front matter variants -------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["――", "——", "－－"])
def test_subtitle_dashes_and_site_lines_do_not_hide_the_salutation(dash: str):
    text = (f"政府工作报告\n{dash}2025年1月15日在某省人民代表大会上\n省长　张三\n2025-03-06 08:12:30\n来源：某某日报\n"
            "责任编辑：李四\n各位代表：\n现在报告工作。")  # fmt: skip
    doc = segment(text)
    assert doc.title.zh == f"政府工作报告{dash}2025年1月15日在某省人民代表大会上"
    assert (doc.issuer, doc.salutation) == ("省长 张三", "各位代表：")
    assert doc.meta == {"发布时间": "2025-03-06 08:12:30", "来源": "某某日报", "责任编辑": "李四"}
    assert texts(doc) == ["现在报告工作。"]


def test_red_header_mark_and_signer_are_metadata_and_the_status_joins_the_title():
    doc = segment("某某市人民政府文件\n某政发〔2023〕12号　　签发人：张三\n某市人民政府关于印发某某办法的通知\n（试行）\n各区人民政府：\n现印发给你们。")
    assert doc.title.zh == "某市人民政府关于印发某某办法的通知（试行）"
    assert doc.meta["发文机关标志"] == "某某市人民政府文件" and doc.salutation == "各区人民政府："
    assert texts(doc) == ["现印发给你们。"]


def test_site_lines_after_the_salutation_are_metadata_but_a_meetings_time_is_text():
    doc = segment("关于召开某会议的通知\n各有关单位：\n来源：市政府办公室　发布时间：2024-05-01\n时间：2024年5月10日\n地点：市行政中心")
    assert doc.meta == {"来源": "市政府办公室", "发布时间": "2024-05-01"}
    assert texts(doc) == ["时间：2024年5月10日", "地点：市行政中心"]


def test_a_meeting_time_under_the_title_is_text():
    doc = segment("关于召开某会议的通知\n时间：2024年5月10日\n地点：市行政中心\n请准时参加。")
    assert (doc.meta, texts(doc)) == ({}, ["时间：2024年5月10日", "地点：市行政中心", "请准时参加。"])


@pytest.mark.parametrize("stamp", ["2024年01月05日", "2024年01月05日　来源：新华网", "2024-01-05"])
def test_a_date_line_above_the_title_is_metadata(stamp: str):
    doc = segment(f"{stamp}\n我市召开经济工作会议\n会议强调，要坚持稳中求进。")
    assert (doc.title.zh, doc.meta["发布时间"], texts(doc)) == ("我市召开经济工作会议", "2024-01-05", ["会议强调，要坚持稳中求进。"])


def test_publisher_and_time_line_is_metadata():
    doc = segment("关于做好防汛工作的通知\n发布人：市应急局　时间：2024-06-01 09:30\n各有关单位：\n请做好防汛工作。")
    assert doc.meta == {"发布人": "市应急局", "时间": "2024-06-01 09:30"}
    assert doc.salutation == "各有关单位："


# --- 5. signatures at the end -------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature, issuer, date",
    [
        ("国务院\n2018年12月21日\n（此件公开发布）", "国务院", "2018年12月21日"),
        ("国　务　院\n2018年12月21日", "国务院", "2018年12月21日"),
        ("某省人民政府办公厅\n二〇〇三年五月八日\n（此件主动公开）", "某省人民政府办公厅", "二〇〇三年五月八日"),
        ("中共某市委办公室　某市人民政府办公室\n2023年4月1日", "中共某市委办公室 某市人民政府办公室", "2023年4月1日"),
    ],
)
def test_signature_issuer_date_and_note_leave_the_body(signature: str, issuer: str, date: str):
    doc = segment("关于某事项的通知\n各有关单位：\n一、总体要求\n请认真贯彻执行。\n" + signature)
    assert (doc.issuer, doc.date) == (issuer, date)
    assert texts(doc) == ["请认真贯彻执行。"]
    if "（" in signature:
        assert doc.meta["附注"].startswith("（此件")


def test_a_signature_at_the_end_leaves_the_body_even_with_a_date_under_the_title():
    doc = segment("关于某某工作的意见\n（2024年1月10日）\n一、总体要求\n坚持稳中求进。\n某市人民政府\n2024年1月10日")
    assert (doc.date, doc.meta, texts(doc)) == ("2024年1月10日", {"落款": "某市人民政府 2024年1月10日"}, ["坚持稳中求进。"])


# --- 6. articles and clauses --------------------------------------------------------------------


def test_article_has_no_title_and_its_clauses_are_list_items():
    doc = segment("某市条例\n第一条　有下列情形之一的，由主管部门责令改正：（一）未按规定登记的；（二）拒不整改的。\n"
                  "第二条　本条例自2024年1月1日起施行。")  # fmt: skip
    assert [(s.marker, s.title.zh) for s in doc.walk_sections()] == [("第一条", ""), ("第二条", "")]
    assert texts(doc) == ["有下列情形之一的，由主管部门责令改正：（一）未按规定登记的；", "（二）拒不整改的。", "本条例自2024年1月1日起施行。"]


def test_clauses_on_their_own_lines_stay_in_their_article():
    doc = segment("第一章　总则\n第一条　企业应当履行下列义务：\n（一）保证质量；\n（二）按时供货。\n第二章　附则\n第二条　本办法自公布之日起施行。")
    assert markers(doc) == ["第一章", "第一条", "第二章", "第二条"]
    assert [seg.zh for seg in doc.sections[0].sections[0].segments] == ["企业应当履行下列义务：", "（一）保证质量；", "（二）按时供货。"]


def test_a_tiao_with_a_short_title_is_a_titled_heading():
    doc = segment("某某实施意见\n第一条　总体要求\n（一）坚持稳中求进。\n（二）坚持改革创新。\n第二条　保障措施\n加强领导。")
    assert [(s.marker, s.title.zh) for s in doc.walk_sections()] == [
        ("第一条", "总体要求"), ("（一）", "坚持稳中求进。"), ("（二）", "坚持改革创新。"), ("第二条", "保障措施")
    ]  # fmt: skip


def test_amending_decision_items_have_no_title():
    doc = segment("某省关于修改《某条例》的决定\n一、将第五条修改为：“第五条　……。”\n二、删去第六条。\n本决定自公布之日起施行。")
    assert [(s.marker, s.title.zh) for s in doc.walk_sections()] == [("一、", ""), ("二、", ""), ("", "")]
    assert texts(doc) == ["将第五条修改为：“第五条 ……。”", "删去第六条。", "本决定自公布之日起施行。"]


# --- 7. after the last list item ----------------------------------------------------------------


def test_unmarked_paragraphs_after_yi_shi_items_belong_to_the_parent():
    doc = segment("报告\n一、工作回顾\n一是工业回升。增长7%。\n二是项目提速。开工86个。\n一年来，成绩来之不易。\n二、工作安排\n坚持稳中求进。")
    first = doc.sections[0]
    assert [(s.marker, [seg.zh for seg in s.segments]) for s in first.sections] == [
        ("一是", ["增长7%。"]), ("二是", ["开工86个。"]), ("", ["一年来，成绩来之不易。"])
    ]  # fmt: skip
    assert markers(doc) == ["一、", "一是", "二是", "", "二、"]


def test_text_after_the_last_item_renders_without_a_heading():
    from pipeline.render import render_markdown

    doc = segment("报告\n一、工作回顾\n一是工业回升。增长7%。\n一年来，成绩来之不易。")
    markdown = render_markdown(doc)
    continued = doc.sections[0].sections[-1]
    assert (continued.marker, continued.title.zh) == ("", "")
    assert f'<a id="{continued.id}"></a>' in markdown
    assert not any(line.startswith("#") and f'id="{continued.id}"' in line for line in markdown.splitlines())


def test_second_paragraph_of_a_numbered_item_stays_in_it():
    doc = segment("报告\n一、工作回顾\n（一）工业回升。增长7%。\n规上企业达到312家。\n（二）项目提速。")
    assert [seg.zh for seg in doc.sections[0].sections[0].segments] == ["增长7%。", "规上企业达到312家。"]


def test_closing_address_belongs_to_the_document():
    doc = segment("报告\n一、工作回顾\n（一）工业回升。\n增长7%。\n（十二）民生改善。\n增收5%。\n各位代表，让我们团结奋斗！")
    assert [s.marker for s in doc.sections] == ["一、", ""]
    assert [seg.zh for seg in doc.sections[-1].segments] == ["各位代表，让我们团结奋斗！"]


def test_closing_paragraphs_after_the_last_task_belong_to_the_document():
    tasks = "".join(f"（{n}）任务{n}。\n推进工作。\n" for n in "一二三四五六七八九十")
    doc = segment(f"政府工作报告\n一、回顾\n增长5%。\n二、任务\n{tasks}（十一）任务。\n（十二）民生。\n办好实事。\n"
                  "过去一年，国防建设取得新进展。\n我们要坚定信心，奋勇前进！")  # fmt: skip
    assert [s.marker for s in doc.sections] == ["一、", "二、", ""]
    assert [seg.zh for seg in doc.sections[1].sections[-1].segments] == ["办好实事。"]
    assert [seg.zh for seg in doc.sections[-1].segments] == ["过去一年，国防建设取得新进展。", "我们要坚定信心，奋勇前进！"]


def test_a_past_year_paragraph_inside_an_item_stays_there():
    doc = segment("报告\n一、回顾\n（一）工业。增长5%。\n过去一年，新增企业312家。\n（二）农业。增长3%。")
    assert [seg.zh for seg in doc.sections[0].sections[0].segments] == ["增长5%。", "过去一年，新增企业312家。"]
    assert markers(doc) == ["一、", "（一）", "（二）"]


# --- 8. restarted lists -------------------------------------------------------------------------


def test_second_article_on_a_page_restarts_its_list():
    doc = segment("关于促进消费的措施\n一、发放消费券。\n二、举办活动。\n关于稳外贸的措施\n一、拓展市场。\n二、加大信保支持。")
    assert [(s.marker, s.title.zh, s.level) for s in doc.walk_sections()] == [
        ("一、", "发放消费券。", 1), ("二、", "举办活动。", 1), ("", "关于稳外贸的措施", 1),
        ("一、", "拓展市场。", 2), ("二、", "加大信保支持。", 2),
    ]  # fmt: skip


def test_a_repeated_one_without_a_title_line_stays_text():
    doc = segment("报告\n一、工业\n增长5%。\n二、农业\n增长3%。\n一、二季度分别增长4%和5%。")
    assert markers(doc) == ["一、", "二、"]


# --- 9. web chrome ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["某某网信息详情关于做好防汛工作的通知", "关于做好防汛工作的通知 - 某市人民政府", "关于做好防汛工作的通知",
     "某市人民政府门户网站关于做好防汛工作的通知", "关于做好防汛工作的通知_某市人民政府门户网站"],
)
def test_site_name_glued_onto_the_title_is_dropped(title: str):
    assert segment(f"{title}\n各有关单位：\n请做好防汛工作。").title.zh == "关于做好防汛工作的通知"


def test_comment_threads_and_app_promotions_are_chrome():
    doc = segment("关于做好防汛工作的通知\n一、压实责任\n请做好防汛工作。\n【打印本页】【关闭窗口】 分享到：\n评论回复\n提交回复\n返回\n更多精彩内容尽在某某新闻APP")
    assert texts(doc) == ["请做好防汛工作。"]


def test_site_banner_and_navigation_bar_above_the_title_are_chrome():
    doc = segment("中国政府网\n首页 | 简体 | 繁体 | EN | 登录\n国务院关于某某工作的通知\n国发〔2024〕3号\n各省、自治区、直辖市人民政府：\n现通知如下。")
    assert (doc.title.zh, doc.meta) == ("国务院关于某某工作的通知", {"发文字号": "国发〔2024〕3号"})
    assert texts(doc) == ["现通知如下。"]


def test_accessibility_and_language_switches_above_the_title_are_chrome():
    doc = segment("无障碍浏览\n长者模式\n繁体版\n您现在的位置：首页 > 政务公开\n关于某某工作的通知\n各有关单位：\n现通知如下。\n【关闭】\n【打印】")
    assert (doc.title.zh, texts(doc)) == ("关于某某工作的通知", ["现通知如下。"])


def test_a_title_line_about_a_network_is_not_a_banner():
    doc = segment("关于加快工业互联网\n创新发展的意见\n各有关单位：\n现提出如下意见。")
    assert doc.title.zh == "关于加快工业互联网创新发展的意见"


def test_related_links_under_the_signature_are_chrome():
    doc = segment("关于做好防汛工作的通知\n各有关单位：\n请做好防汛工作。\n某市人民政府\n2024年6月1日\n相关文件：\n"
                  "关于做好2023年防汛工作的通知\n关于印发某某预案的通知\n网站地图 | 联系我们")  # fmt: skip
    assert (texts(doc), doc.issuer, doc.date) == (["请做好防汛工作。"], "某市人民政府", "2024年6月1日")


def test_a_related_documents_paragraph_with_sentences_is_text():
    doc = segment("关于某工作的报告\n一、工作\n增长5%。\n相关文件\n本报告所附相关文件已另行印发。")
    assert texts(doc)[-2:] == ["相关文件", "本报告所附相关文件已另行印发。"]


def test_source_line_and_end_mark_under_a_reprint_are_metadata():
    doc = segment("某某会议召开\n会议强调，要坚持稳中求进。\n（完）\n（来源：新华网）")
    assert (texts(doc), doc.meta) == (["会议强调，要坚持稳中求进。"], {"来源": "新华网"})


# --- 10. Markdown -------------------------------------------------------------------------------


def test_markdown_front_matter_and_comments_are_not_body():
    text = ("---\ntitle: 统计公报\ndate: 2024-03-15\n---\n<!-- 转载说明 -->\n# 统计公报\n\n## 一、农业\n\n持平。\n\n"
            "## 二\n\n增长5%。\n\n## 三\n\n<!--\n多行\n-->\n下降2%。\n")  # fmt: skip
    doc = segment(text, source="a.md")
    assert doc.meta == {"title": "统计公报", "date": "2024-03-15"}
    assert markers(doc) == ["一、", "二", "三"] and texts(doc) == ["持平。", "增长5%。", "下降2%。"]


def test_yaml_values_lose_invisible_characters():
    doc = segment("---\ntitle: 统计\u202e公报\u200b\n---\n# 报告\n\n增长5%。", source="a.md")
    assert doc.meta == {"title": "统计公报"}


def test_yaml_aliases_are_not_expanded():
    doc = segment("---\na: &x [1, 2]\nb: *x\n---\n# 报告\n\n增长5%。", source="a.md")
    assert doc.meta == {"a": "&x [1, 2]", "b": "*x"} and texts(doc) == ["增长5%。"]


# --- 11. PDF text -------------------------------------------------------------------------------


def test_ragged_pdf_lines_are_rejoined_and_headings_kept_apart():
    lines = ["一、总体情况", "上半年，全市实现地区生", "产总值551.2亿元，同比增长", "6.3%，增速高于全省。", "二、工业经济",
             "规上工业增加值增长8.1%，其中高新技术产业", "增加值增长12.4%。", "三、下一步打算"]  # fmt: skip
    assert join_wrapped_lines(lines) == [
        "一、总体情况", "上半年，全市实现地区生产总值551.2亿元，同比增长6.3%，增速高于全省。", "二、工业经济",
        "规上工业增加值增长8.1%，其中高新技术产业增加值增长12.4%。", "三、下一步打算",
    ]  # fmt: skip


def _pdf_like(text: str, width: int, indent: str) -> str:
    """Each line of ``text`` wrapped at a display width (a CJK character is two columns, a digit one),
    the first line of each paragraph indented, as PDF text extraction gives it."""
    out = []
    for paragraph in text.splitlines():
        line = indent
        for char in paragraph:
            if _display_width(line + char) > width:
                out.append(line)
                line = ""
            line += char
        out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("width, indent", [(40, "　　"), (46, "　　"), (56, "  "), (40, ""), (56, ""), (70, "")])
@pytest.mark.parametrize("name", ["14-county-four-levels.txt", "22-inline-points-semicolons.txt", "28-regulation-articles-clauses.txt"])
def test_pdf_like_wrapped_copy_gives_the_same_outline(name: str, width: int, indent: str):
    text = read_document_text(CORPUS / name)
    head, _, body = text.partition("\n")  # the title line stays whole, as a centred PDF title does
    expected = format_outline(segment(text), show_segments=True)
    assert format_outline(segment(head + "\n" + _pdf_like(body, width, indent)), show_segments=True) == expected


def test_a_list_of_units_one_per_line_is_not_ragged_text():
    lines = ["一、成员单位", "市发展和改革委员会", "市财政局", "市自然资源和规划局", "市生态环境局", "市住房和城乡建设局", "二、工作要求", "请认真执行。"]
    assert join_wrapped_lines(lines) == lines


def test_short_lines_without_punctuation_are_not_ragged_text():
    lines = ["附件：", "1.检查表", "2.值班表", "某县人民政府", "2023年1月12日", "一、要求", "请认真执行。"]
    assert join_wrapped_lines(lines) == lines


# --- traditional Chinese ------------------------------------------------------------------------


def test_traditional_markers():
    doc = segment("某縣政府工作報告\n壹、過去一年工作回顧\n一、經濟增長。增長5%。\n貳、今年工作\n第一條　政府應當依法履職。\n第二條　政府應當接受監督。")
    assert [(s.marker, s.level) for s in doc.walk_sections()] == [("壹、", 1), ("一、", 2), ("貳、", 1), ("第一條", 2), ("第二條", 2)]
    assert doc.title.zh == "某縣政府工作報告"


def test_traditional_notice_front_matter_and_signature():
    doc = segment("關於做好防汛工作的通知\n發布日期：2023-06-01　來源：縣政府辦公室\n各有關單位：\n一、壓實責任\n請做好防汛工作。\n某縣人民政府辦公室\n二〇二三年六月一日")
    assert (doc.title.zh, doc.salutation) == ("關於做好防汛工作的通知", "各有關單位：")
    assert doc.meta == {"發布日期": "2023-06-01", "來源": "縣政府辦公室"}
    assert (doc.issuer, doc.date, texts(doc)) == ("某縣人民政府辦公室", "二〇二三年六月一日", ["請做好防汛工作。"])


# --- invisible characters (issue 11) -------------------------------------------------------------


def test_bidi_controls_are_removed_and_emoji_sequences_kept():
    text = "报告\n一、工作\n\u202e增长5%\u202c。\u2066下降\u20693%。\u200f家庭👨\u200d👩\u200d👧。零\u200d宽。"
    doc = segment(text)
    assert texts(doc) == ["增长5%。", "下降3%。", "家庭👨\u200d👩\u200d👧。", "零宽。"]


# --- no character lost or reordered, with the new patterns -----------------------------------------

_PATTERN_FRAGMENTS = [
    "目录", "目　录", "第一章", "第一节", "第二章", "第一条", "第二条", "第五条", "第一條", "壹、", "貳、", "一、", "二、",
    "（一）", "（二）", "一是", "二是", "四", "将第五条修改为：", "删去第六条。", "一年来，", "总之，", "各位代表，", "过去一年，", "（十二）",
    "本决定自公布之日起施行。", "国发〔2019〕12号", "劳社部发[2006]7号", "国　务　院", "国务院", "二〇〇三年五月八日",
    "（此件公开发布）", "――", "省长　张三", "2025-03-06 08:12:30", "来源：某某日报", "编辑：李四", "评论回复",
    "尽在某某APP", "信息详情", "关于某某的决定", "有关规定的", "各省、自治区、直辖市人民政府：", "……1", " 3",
    "\u202e", "\u200d", "👨", "---\n", "a: b\n", "<!-- 注 -->", "（来源：新华网）", "（完）", "中国政府网",
    "首页 | 简体 | 繁体 | 登录", "字号：大 中 小 ", "。", "；", "：", "\n", "\n\n", " ", "增长5%", "上半年，全市实现地区生", "产总值551.2亿元",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PATTERN_FRAGMENTS), max_size=40).map("".join))
def test_new_patterns_never_lose_or_reorder_body_characters(text: str):
    yaml_meta, after_yaml = take_yaml_front_matter(text)
    front = split_front_matter(clean_text(after_yaml, markdown=True if yaml_meta else None))
    doc = segment(text)
    parts = [seg.zh for seg in doc.preamble]
    for section in doc.walk_sections():
        parts += [section.marker, section.title.zh] + [seg.zh for seg in section.segments]
    assert "".join("".join(parts).split()) == "".join(front.body.split())
