"""Reports as users scrape them from government CMS pages (issue 22), on small hand-written text in the
shapes the real batch showed: tool bars and site fields around the title, subtitles and bylines in their
variants, the speaker's address inside a part, 一是 lists, annexes, lists nested after a part's text, and
the outline's confidence. The real reports themselves are in test_provincial.py.
"""

from __future__ import annotations

import json

import pytest

from pipeline.segment import apply_input_meta, format_outline, lint_document, segment, take_yaml_front_matter
from pipeline.segment.chrome import is_chrome_line
from pipeline.segment.outline import _Heading, _problems, _shallow

from .conftest import run_main

TOOLBAR = "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n"
BODY = (
    "各位代表：\n现在，我代表省人民政府向大会报告工作，请予审议。\n一、过去一年工作回顾\n过去一年，全省经济增长5%。\n"
    "二、今年主要任务\n今年要抓好以下工作。\n"
)


def top(doc) -> list[str]:
    return [f"{s.marker}{s.title.zh}" or "(continued)" for s in doc.sections]


def texts(doc) -> list[str]:
    return [seg.zh for seg in doc.all_segments()]


# --- front matter: chrome out, metadata in -------------------------------------------------------


def test_tool_bar_and_site_fields_around_the_title():
    doc = segment(TOOLBAR + "2026年某省政府工作报告\n2026年1月14日在某省第十四届人民代表大会第四次会议上\n"
                  "来源：某省日报\n时间：2026-01-22\n某省省长 张三\n" + BODY)  # fmt: skip
    assert doc.title.zh == "2026年某省政府工作报告——2026年1月14日在某省第十四届人民代表大会第四次会议上"
    assert (doc.issuer, doc.date, doc.salutation) == ("某省省长 张三", "2026年1月14日", "各位代表：")
    assert doc.meta["来源"] == "某省日报" and doc.meta["时间"] == "2026-01-22"
    assert top(doc) == ["一、过去一年工作回顾", "二、今年主要任务"]
    assert lint_document(doc) == []


def test_keys_and_values_on_lines_of_their_own_breadcrumb_and_font_widget():
    doc = segment("当前位置：\n首页\n>\n政务信息\n>\n某省要闻\n2026年某省政府工作报告\n发表时间：\n2026-02-09 09:45:30\n"
                  "来源：\n某省日报客户端\n阅读量：\n【字体：\n小\n中\n大\n】\n政府工作报告\n——2026年2月3日在某省第十三届人民代表大会"
                  "第五次会议上\n自治区人民政府主席 李四\n" + BODY)  # fmt: skip
    assert doc.title.zh.startswith("2026年某省政府工作报告——2026年2月3日")
    assert (doc.issuer, doc.date) == ("自治区人民政府主席 李四", "2026年2月3日")
    assert doc.meta["来源"] == "某省日报客户端" and doc.meta["发布时间"] == "2026-02-09 09:45:30"
    assert not [f for f in lint_document(doc) if f.check == "chrome"]


def test_a_page_that_repeats_its_title_block_and_a_photo_caption():
    block = "陕某省2026年政府工作报告\n2026年1月27日在某省第十四届人民代表大会第四次会议上 某省省长 王五\n"
    doc = segment("分享:\n" + block + "首页\n>\n政府信息公开\n>\n政府工作报告\n" + block
                  + "时间：\n2026-02-02 09:20\n来源：\n某省人民政府\n分享:\n省长王五作政府工作报告\n" + BODY)  # fmt: skip
    assert doc.title.zh == "陕某省2026年政府工作报告——2026年1月27日在某省第十四届人民代表大会第四次会议上"
    assert (doc.issuer, doc.date) == ("某省省长 王五", "2026年1月27日")
    assert texts(doc)[0].startswith("现在，我代表")


@pytest.mark.parametrize(
    ("byline", "issuer"),
    [
        ("上海市市长 龚 正", "上海市市长 龚 正"),  # a two-character name spaced out
        ("自治区主席 艾尔肯·吐尼亚孜", "自治区主席 艾尔肯·吐尼亚孜"),
        ("省长　王予波", "省长 王予波"),
        ("毛伟明", "毛伟明"),  # the name alone under the subtitle
    ],
)
def test_bylines(byline, issuer):
    doc = segment("2026年某省政府工作报告\n——2026年2月3日在某省第十四届人民代表大会第四次会议上\n" + byline + "\n" + BODY)
    assert doc.issuer == issuer


def test_captions_and_footers_are_chrome_but_report_lines_are_not():
    for line in ("省长叶建春作政府工作报告。本报全媒体记者 林 君摄", "王某作政府工作报告。本报记者 霍某某摄", "相关报道：",
                 "扫一扫在手机打开当前页", "》》点击图片进入专题《《", "【字号：", "分享到:", ">"):  # fmt: skip
        assert is_chrome_line(line), line
    for line in ("各位代表：", "一、过去一年工作回顾", "2026年某省政府工作报告", "中国-中亚荒漠化防治合作中心落户宁夏。", "大力发展"):
        assert not is_chrome_line(line), line


def test_the_footer_under_the_text_is_removed():
    doc = segment("2026年某省政府工作报告\n" + BODY + "各位代表！让我们团结奋斗。\n扫一扫在手机打开当前页\n【\n打印本页\n】\n相关报道：\n")
    assert texts(doc)[-2:] == ["各位代表！", "让我们团结奋斗。"]


# --- the outline -----------------------------------------------------------------------------------


def test_the_address_inside_a_part_stays_in_it_and_only_the_last_closes_the_report():
    doc = segment(
        "2026年某省政府工作报告\n各位代表：\n现在报告工作。\n一、回顾\n（一）经济。\n增长5%。\n（二）民生。\n就业稳定。\n"
        "各位代表！成绩来之不易。\n这是全省上下共同奋斗的结果。\n二、任务\n（一）投资。\n扩大投资。\n各位代表！让我们团结奋斗。\n"
    )
    assert top(doc) == ["一、回顾", "二、任务", "(continued)"]
    part_one = doc.sections[0]
    assert [f"{s.marker}{s.title.zh}" or "(continued)" for s in part_one.sections] == ["（一）经济。", "（二）民生。", "(continued)"]
    assert [s.zh for s in part_one.sections[-1].segments] == ["各位代表！", "成绩来之不易。", "这是全省上下共同奋斗的结果。"]
    assert [s.zh for s in doc.sections[-1].segments] == ["各位代表！", "让我们团结奋斗。"]


def test_yishi_items_are_never_top_level_and_a_long_first_sentence_is_text():
    doc = segment("某区工作总结\n一年来，问题也不少。一是基础薄弱。二是人才不足。\n一、回顾\n"
                  "一是注重对标对表，认真贯彻落实上级关于加快发展的重要部署要求，全面推进各项工作取得新的更大成效。\n二、任务\n抓落实。")  # fmt: skip
    assert top(doc) == ["一、回顾", "二、任务"]
    assert [s.zh for s in doc.preamble] == ["一年来，问题也不少。", "一是基础薄弱。", "二是人才不足。"]
    assert doc.sections[0].sections == [] and doc.sections[0].segments[0].zh.startswith("一是注重对标对表")


def test_yishi_items_that_run_over_paragraphs_keep_their_text():
    doc = segment("某区工作总结\n一、回顾\n一年来，重点抓了两方面工作：\n一是突出稳增长。\n组织专项行动。\n投资增长10%。\n"
                  "二是突出惠民生。\n就业稳定。\n二、任务\n抓落实。")  # fmt: skip
    items = doc.sections[0].sections
    assert [f"{s.marker}{s.title.zh}" for s in items] == ["一是突出稳增长。", "二是突出惠民生。"]
    assert [s.zh for s in items[0].segments] == ["组织专项行动。", "投资增长10%。"]


def test_a_list_after_a_parts_text_nests_and_the_next_subsection_resumes_its_level():
    doc = segment("某市政府工作报告\n一、任务\n（一）扩大内需。\n促进消费。\n（二）办好实事。\n各位代表！今年要办好两件实事：\n"
                  "1.医疗方面。\n新建医院2所。\n2.养老方面。\n新增床位500张。\n（三）加强自身建设。\n从严治政。")  # fmt: skip
    subsections = doc.sections[0].sections
    assert [f"{s.marker}{s.title.zh}" for s in subsections] == ["（一）扩大内需。", "（二）办好实事。", "（三）加强自身建设。"]
    # the list and the text before it are the end of "（二）" (nothing unmarked between （二） and （三）)
    assert [f"{s.marker}{s.title.zh}" for s in subsections[1].sections] == ["1.医疗方面。", "2.养老方面。"]
    assert [s.zh for s in subsections[1].segments][-2:] == ["各位代表！", "今年要办好两件实事："]


def test_an_annex_is_a_part_of_its_own_and_its_list_starts_again():
    doc = segment("某省政府工作报告\n一、回顾\n增长5%。\n二、任务\n抓落实。\n附件1\n2026年十件民生实事\n一、提高低保标准。\n"
                  "提高到每月800元。\n二、建设养老机构。\n新建20家。\n附件2\n名词解释\n1.“四上”企业：\n达到一定规模的企业。")  # fmt: skip
    assert top(doc) == ["一、回顾", "二、任务", "附件12026年十件民生实事", "附件2名词解释"]
    assert [f"{s.marker}{s.title.zh}" for s in doc.sections[2].sections] == ["一、提高低保标准。", "二、建设养老机构。"]
    assert [f"{s.marker}{s.title.zh}" for s in doc.sections[3].sections] == ["1.“四上”企业："]
    assert lint_document(doc) == [f for f in lint_document(doc) if f.check in ("issuer", "date")]


def test_parts_titled_without_numbers():
    doc = segment("某区政府工作报告\n各位代表：\n现在报告工作。\n过去一年工作回顾\n过去一年，全区经济增长5%，各项事业取得新进展。\n"
                  "2026年主要任务\n今年是开局之年，要抓好以下几方面工作，确保完成目标。\n一、扩大内需\n促进消费。\n二、深化改革\n激发活力。")  # fmt: skip
    assert top(doc) == ["过去一年工作回顾", "2026年主要任务"]
    assert [f"{s.marker}{s.title.zh}" for s in doc.sections[1].sections] == ["一、扩大内需", "二、深化改革"]


def test_a_second_sequence_quoted_inside_a_part_nests_under_it():
    doc = segment("某市政府工作报告\n一、回顾\n增长5%。\n二、形势\n困难不少。\n三、任务\n今年要落实《实施方案》，主要内容如下：\n"
                  "一、总体要求\n坚持稳中求进。\n二、主要目标\n增长6%。\n三、重点任务\n扩大内需。\n四、保障措施\n加强领导。\n"
                  "四、加强自身建设\n从严治政。")  # fmt: skip
    assert top(doc) == ["一、回顾", "二、形势", "三、任务", "四、加强自身建设"]
    assert [f"{s.marker}{s.title.zh}" for s in doc.sections[2].sections] == [
        "一、总体要求", "二、主要目标", "三、重点任务", "四、保障措施"]  # fmt: skip
    assert lint_document(doc) == [f for f in lint_document(doc) if f.check in ("issuer", "date")]


def test_run_in_articles_and_amending_items_are_headings():
    articles = segment("某市物业管理条例\n第一条　为了规范物业管理，制定本条例。第二条　本条例适用于本市：（一）住宅；（二）商业。"
                       "第三条　本条例自2024年1月1日起施行。")  # fmt: skip
    assert [s.marker for s in articles.sections] == ["第一条", "第二条", "第三条"]
    assert [s.zh for s in articles.sections[1].segments] == ["本条例适用于本市：（一）住宅；", "（二）商业。"]
    amending = segment("某市人大常委会关于修改《某市物业管理条例》的决定\n会议决定对《某市物业管理条例》作如下修改：一、将第五条修改为："
                       "“市人民政府负责实施。”二、删去第八条。三、将第十条中的“三十日”修改为“十五日”。本决定自公布之日起施行。")  # fmt: skip
    assert [s.marker for s in amending.sections] == ["一、", "二、", "三、"]
    # "把……作为……" is a part's title, not an amendment
    titled = segment("某区政府工作报告\n一、把共同富裕作为各项工作的主线\n推进共同富裕。\n二、把改革作为动力\n深化改革。")
    assert top(titled) == ["一、把共同富裕作为各项工作的主线", "二、把改革作为动力"]


def test_a_quoted_yaml_title_broken_over_lines():
    meta, rest = take_yaml_front_matter('---\ntitle: "某市2024年政府工作报告\n  ——在某市人民代表大会上"\ndate: 2024-01-10\n---\n\n正文。\n')
    assert meta == {"title": "某市2024年政府工作报告——在某市人民代表大会上", "date": "2024-01-10"}
    assert rest.strip() == "正文。"
    doc = segment('---\ntitle: "某市2024年政府工作报告\n  ——在某市人民代表大会上"\n---\n\n各位代表：\n\n一、工作回顾\n\n增长5%。\n',
                  source="a.md")  # fmt: skip
    assert doc.title.zh == "某市2024年政府工作报告——在某市人民代表大会上" and top(doc) == ["一、工作回顾"]


def test_confidence_and_the_shallow_outline():
    doc = segment("某省政府工作报告\n" + BODY)
    assert doc.qa["outline"] == {"confidence": 1.0, "shape": "deep", "problems": 0}
    # an inner level whose numbers jump about: the shallow form keeps the top level and every character
    inner = [_Heading("cn_paren", n, f"（{c}）", title="题") for n, c in ((2, "二"), (5, "五"), (1, "一"), (4, "四"))]
    part = _Heading("cn_dun", 1, "一、", title="回顾", sentences=["甲。"], children=inner)
    assert _problems([part], top=True) > 0
    preamble, shallow = _shallow([], [part])
    assert [h.marker for h in shallow] == ["一、"] and _problems(shallow, top=True) == 0
    assert shallow[0].sentences == ["甲。", "（二）题", "（五）题", "（一）题", "（四）题"]


def test_the_outline_is_shown_with_its_parts_annexes_and_continuations():
    doc = segment("某省政府工作报告\n一、回顾\n增长5%。\n附件\n名词解释\n1.甲：\n乙。")
    outline = format_outline(doc)
    assert "附件 名词解释" in outline


# --- table metadata ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text_title", "table_title", "expected"),
    [
        ("下载", "2026年某省政府工作报告", "2026年某省政府工作报告"),  # chrome as title
        ("", "2026年某省政府工作报告", "2026年某省政府工作报告"),  # no title
        ("政府工作报告——2026年1月在某省会议上", "2026年某省政府工作报告", "2026年某省政府工作报告——2026年1月在某省会议上"),
        ("2026年某市政府工作报告", "另一个标题的报告", "2026年某市政府工作报告"),  # its own title stays
    ],
)
def test_the_title_column_names_a_report_without_a_title_of_its_own(text_title, table_title, expected):
    from pipeline.document import Bilingual

    doc = segment("各位代表：\n一、回顾\n增长5%。")
    doc.title = Bilingual(text_title)
    apply_input_meta(doc, {"title": table_title, "publish_date": "2026-02-01"})
    assert doc.title.zh == expected and doc.meta["publish_date"] == "2026-02-01"


def test_segment_lint_cli(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("2026年某省政府工作报告\n——2026年1月14日在某省会议上\n省长 张三\n" + BODY, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("各位代表：\n一、回顾\n增长5%。\n打印\n二、任务\n抓落实。", encoding="utf-8")
    table = tmp_path / "batch.csv"
    table.write_text('province,title,full_text\n某省,2026年某省政府工作报告,"下载\n' + good.read_text(encoding="utf-8") + '"\n',
                     encoding="utf-8")
    result = run_main("segment", "--lint", str(good))
    assert (result.returncode, result.stdout) == (0, "")
    result = run_main("segment", "--lint", str(good), str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert {line.split(": ")[1] for line in lines} >= {"title", "issuer", "date", "chrome"}
    result = run_main("segment", "--lint", str(table), "--text-column", "full_text", "--id-column", "province")
    assert (result.returncode, result.stdout) == (0, ""), result.stdout
    result = run_main("segment", "--lint", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "missing.txt" in result.stderr


def test_a_table_runs_with_its_metadata_columns(tiny_models, tmp_path):
    from .conftest import TINY_CONFIG

    table = tmp_path / "batch.csv"
    body = "政府工作报告\n——2026年1月26日在某省第十四届人民代表大会第五次会议上\n某省省长 赵六\n" + BODY
    table.write_text("province,year,title,source_url,publish_date,full_text\n"
                     f'某省,2026,2026年某省政府工作报告,https://example.org/a|b.html,2026-01-31,"{TOOLBAR}{body}"\n',
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "out"
    result = run_main("run", str(table), "--config", str(TINY_CONFIG), "--out", str(out), "--text-column", "full_text",
                      "--id-column", "province", "--meta-columns", "year", "--set", "translator.backend=identity")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "某省.json").read_text(encoding="utf-8"))
    assert data["title"]["zh"].startswith("2026年某省政府工作报告——2026年1月26日")
    fields = data["meta"]["fields"]
    assert (fields["title"], fields["publish_date"], fields["year"]) == ("2026年某省政府工作报告", "2026-01-31", "2026")
    assert data["provenance"]["source"]["source_url"] == "https://example.org/a|b.html"
    assert data["qa"]["lint"] == [] and data["qa"]["outline"]["confidence"] == 1.0
    front = (out / "某省.md").read_text(encoding="utf-8").split("---")[1]
    assert 'published: "2026-01-31"' in front and 'url: "https://example.org/a|b.html"' in front
    index = (out / "index.md").read_text(encoding="utf-8")
    assert "2026年某省政府工作报告" in index and "(https://example.org/a%7Cb.html)" in index
    assert "下载" not in (out / "某省.md").read_text(encoding="utf-8")
    # the reader and the digest link the page the report came from
    link = '<a class="source" href="https://example.org/a%7Cb.html" rel="noopener noreferrer">Source page</a>'
    assert link in (out / "某省.html").read_text(encoding="utf-8")
    assert link in (out / "digest.html").read_text(encoding="utf-8")


def test_only_web_addresses_become_source_links():
    from pipeline.render.flags import source_link

    assert source_link({"source_url": " https://gov.cn/a b?x=1&y=<2> "}) == "https://gov.cn/a%20b?x=1&y=%3C2%3E"
    assert source_link({"url": "http://gov.cn/"}) == "http://gov.cn/"
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "/local/path.html", "", None):
        assert source_link({"source_url": bad}) == ""
    assert source_link(None) == ""


# --- hostile shapes ------------------------------------------------------------------------------------


def test_hostile_shapes_stay_bounded():
    assert not is_chrome_line("大 " * 5000 + "x")  # a widget-like line: no backtracking blow-up, not chrome
    # lists that keep restarting after their closing text never nest deeper and deeper
    doc = segment("某市政府工作报告\n一、部分\n" + "".join(f"（{i}）事项。\n一是X。\n如下：\n1.甲。\n总之，好。\n" for i in range(1, 400)))
    assert max(s.level for s in doc.walk_sections()) <= 5
    doc = segment("某市政府工作报告\n一、部分\n" + "一是工作。\n推进工作。\n" * 2000)
    assert max(s.level for s in doc.walk_sections()) <= 2
    assert "".join(texts(doc)).count("推进工作") == 2000  # nothing dropped
