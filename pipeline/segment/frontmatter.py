"""Step 2 of segmentation: the front and back matter around a document's body.

Metadata rows and site chrome, the title (wrapped over lines, glued to a document number, or heading a
one-line document), subtitle, byline, document number, addressee (the salutation), and at the end the
signature (issuer, date, notes) and the site footer. What remains is the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .backmatter import _DATE_IN_TEXT, _ORGANISATION_SUFFIX, _take_back_matter
from .chrome import take_page_chrome
from .cleanup import _OPENER_FOR_CLOSER, _SENTENCE_END_INSIDE
from .markers import _MARKER, _marker_identity

# --- step 2: front matter ------------------------------------------------------------------------

META_FIELDS = (
    "发布日期", "发布时间", "成文日期", "生成日期", "索引号", "发布机构", "发文机关", "发文机构", "信息来源",
    "发表时间", "主题分类", "组配分类", "体裁分类", "服务对象分类", "公开方式", "公开范围", "公开时限", "公开形式",
    "发文字号", "文号", "有效性", "主题词", "所属机构", "信息分类", "责任部门", "来源", "标题",
    "签发人", "发布人", "发布者", "作者", "供稿", "稿源", "文章来源", "时间", "日期", "责任编辑", "编辑", "审核", "校对",
    # traditional forms
    "發布日期", "發布時間", "成文日期", "索引號", "發布機構", "發文機關", "發文字號", "文號", "主題分類", "來源", "標題",
    "發布人", "時間", "責任編輯", "編輯",
)  # fmt: skip
# Tables space keys out to align them ("索　引　号：", "标　　题：").
_META_KEY_ALTERNATION = "|".join("[ \t]*".join(key) for key in sorted(META_FIELDS, key=len, reverse=True))
_META_KEY_WITH_COLON = re.compile(rf"({_META_KEY_ALTERNATION})\s*[:：]")
_META_KEY_ALONE = re.compile(rf"({_META_KEY_ALTERNATION})\s*[:：]?")
_PAGE_CHROME_CELL = re.compile(
    r"(?:浏览次数|访问次数|点击数|阅读次数|浏览量)\s*[:：]?\s*\d*"
    r"|(?:字体|字号)\s*[:：]?\s*[\[【]?\s*大\s*中\s*小\s*[\]】]?"
    r"|(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|分享到|保存本页|纠错)\s*[:：]?\s*[】\]]?\s*)+"
    r"|(?:当前位置|您的位置|你的位置|您现在的位置|您当前的位置|现在位置|所在位置)\s*[:：].*"
    r"|(?:无障碍(?:浏览|阅读)?|长者模式|关怀版|繁體|繁体版?|简体版?|English|ENGLISH|手机版|移动版|网站支持IPv6|首页|搜索|登录|注册)"
    r"|(?:[^\s>»›。，]{1,20}\s*[>»›]\s*)+[^\s>»›。，]{1,20}"  # breadcrumbs: 首页 > 政务公开
    r"|\d+"  # the count next to "浏览次数" in its own cell
)
_LEADING_CHROME = re.compile(
    r"(?:(?:字体|字号)\s*[:：]?\s*[\[【]?\s*大\s*中\s*小\s*[\]】]?"
    r"|(?:浏览次数|访问次数|点击数|阅读次数|浏览量)\s*[:：]?\s*\d*"
    r"|[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|收藏|分享到)\s*[】\]]?)(?=\s)\s*"
)
# The issuing authority's mark at the top of a red-header document ("某某市人民政府文件").
_RED_HEADER = re.compile(r"[^\s，。、；：:]{2,30}(?:[ \t]+[^\s，。、；：:]{2,30})*[ \t]*文[ \t]*件")
# A title's status on its own line under it ("（征求意见稿）", "（试行）", "（2023年修订）").
_TITLE_STATUS_LINE = re.compile(
    r"[（(](?:征求意见稿|公开征求意见稿|试行|暂行|草案|送审稿|修订稿|修订草案|讨论稿|\d{4}年(?:修订|修正|版))[）)]"
)
# A site's banner above the title ("中国政府网", "某市人民政府门户网站").
_SITE_BANNER = re.compile(r"(?![^\n]*关于)[^\s，。、]{2,16}(?:政府网|门户网站|门户网|网站|客户端|新闻网|融媒体中心)")
MAX_NAVIGATION_CELL_CHARS = 6
_ONLY_AFTER_ANOTHER_FIELD = {"时间", "日期", "時間"}
_SITE_FIELDS = {"来源", "稿源", "文章来源", "作者", "编辑", "责任编辑", "发布时间", "发布日期", "发布人", "审核", "校对", "供稿"}
_PUNCTUATION = re.compile(r"[，。、；：！？,.;:!?（）()《》“”]")
_CHROME_AFTER_VALUE = re.compile(r"\s(?:浏览次数|访问次数|点击数|阅读次数|浏览量|字体|字号|【|\[)")
_TOP_DATE = re.compile(
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)?)(?=\s|$)"
)
_DATE_TIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]\s*(\d{1,2})\s*秒?)?)?"
)
_LEADING_DATE_TIME = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(?::\d{2})?)(?:\s+|$)"
)
_ISSUER_NAME = r"[^\s，。,；;:：()（）、]{2,30}(?:[ \t][^\s，。,；;:：()（）、]{1,10})?"
_ISSUER_AND_DATE = re.compile(rf"\s*(?P<issuer>{_ISSUER_NAME})?\s*[（(]\s*(?P<date>{_DATE_IN_TEXT})\s*[）)]")
_ISSUER_LINE_THEN_DATE_LINE = re.compile(
    rf"\s*(?P<issuer>[^\s，。,；;:：()（）]{{2,30}}(?:政府|委员会|办公室|办公厅|国务院|局|厅|委|委員會|辦公室|辦公廳|國務院|廳))[ \t]*\n"
    rf"\s*(?P<date>{_DATE_IN_TEXT})[ \t]*(?=\n|$)"
)
# Under a title: "某市统计局　2023年3月15日", or the date alone.
_ISSUER_AND_DATE_ON_ONE_LINE = re.compile(
    rf"\s*(?:(?P<issuer>[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX})[ \t]+)?(?P<date>{_DATE_IN_TEXT})[ \t]*(?=\n|$)"
)
_SALUTATION = re.compile(
    r"\s*(?P<salutation>(?:各位|尊敬的)[^\s，。,；;:：!！?？]{1,20}[:：]|(?:同志们|朋友们)[:：]"
    # a notice's addressees: "各有关单位：", "各区县人民政府，市政府各部门：", "县政府各部门："
    rf"|(?:各[^\s。！？!?；;:：]{{1,60}}|[^\s。！？!?；;:：]{{1,60}}{_ORGANISATION_SUFFIX})[:：](?=\s|$))"
)
# Labels and headings that end like an addressee list ("（一）责任单位：", "牵头单位：").
_NOT_A_SALUTATION = re.compile(r"[（(]?[一二三四五六七八九十0-9０-９]+[、.．)）]|.*(?:牵头|责任|配合|实施|主办|承办|协办)单位[:：]$")
# The speaker's byline under a report's title ("县长　张某某", "代市长 李某").
_BYLINE = re.compile(
    r"\s*(?![一二三四五六七八九十]+[、是]|第)"  # "一、推动经济增长 提质" is a heading
    r"(?P<issuer>[^\s，。,；;:：()（）、]{0,12}(?:长|長|主任|书记|書記|主席|总理|總理)[ \t]+(?:"
    # "刘捷", "龚 正" (a two-character name spaced out), "艾尔肯·吐尼亚孜"
    r"[^\s，。,；;:：()（）、·]{2,4}|[^\s，。,；;:：()（）、·][ \t]+[^\s，。,；;:：()（）、·]{1,2}"
    r"|[^\s，。,；;:：()（）、·]{2,8}·[^\s，。,；;:：()（）、·]{2,8}))[ \t]*(?=\n|$)"
)
# The speaker's name alone under a report's subtitle ("毛伟明").
_NAME_ALONE = re.compile(r"\s*(?P<issuer>[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{2,8}·[\u4e00-\u9fff]{2,8})[ \t]*(?=\n)")
# A subtitle without its dash ("2026年1月14日在浙江省第十四届人民代表大会第四次会议上"), perhaps with the
# speaker's byline after it on the same line.
_BARE_SUBTITLE = re.compile(
    r"[ \t]*(?P<subtitle>\d{4}年\d{1,2}月\d{1,2}日在[^\n。！？；]{4,80}?(?:会议|大会|会)上(?:的(?:讲话|报告))?)[ \t]*(?=\n|[ \t]+\S)"
)
_PARENTHESISED_SUBTITLE = re.compile(r"[（(](?=[^（()）\n]*(?:会议|大会|会上))[^（()）\n]{4,80}[）)][ \t]*(?:\n|$)")
# A law's adoption and amendment history under its title, however long.
_ADOPTION_NOTE_LINE = re.compile(r"[（(][^\n]{4,400}?(?:通过|批准|修正|修订|公布|施行|发布)[）)][ \t]*(?:\n|$)")
_ADOPTION_NOTE = re.compile(r"(?:通过|批准|修正|修订|公布|施行|发布)[）)]$")
_SUBTITLE_END_LINE = re.compile(r"[ \t]*([^\s，。,；;:：!！?？]{0,20}(?:上|讲话|报告|講話|報告))[ \t]*(?:\n|$)")
_DATE_IN_SUBTITLE = re.compile(_DATE_IN_TEXT + r"(?:\s*\d{1,2}\s*日)?")
# A document number ("某政办发〔2023〕5号") on its own line, above or below the title.
_DOCUMENT_NUMBER = re.compile(r"(?![^〔［\[(（【]*关于)[^\s，。,；;:：]{1,20}[〔［\[(（【]\s*\d{4}\s*[〕］\])）】]\s*第?\s*\d{1,5}\s*号")
_LEADING_DOCUMENT_NUMBER = re.compile(rf"({_DOCUMENT_NUMBER.pattern})(?:\s+|$)")
MAX_TITLE_CHARS = 100
MAX_TITLE_LINES = 4
# The kind of document a title names, at its end ("…的通知", "…实施方案", "…统计公报").
_TITLE_KIND = (
    r"(?:通知|意见|报告|决定|办法|方案|规定|细则|纲要|公报|批复|函|请示|通报|公告|通告|规划|要点|总结|讲话|决议|条例"
    r"|通知書|報告|決定|辦法|規定|細則|綱要|規劃|總結|講話|決議|條例)"
    r"(?:[（(][^（()）]{1,10}[）)])?"
)
_TITLE_KIND_AT_END = re.compile(_TITLE_KIND + "$")
# Kind words that also occur inside a title ("城市规划", "实施方案", "工作报告"): after "关于" without "的"
# they do not end it.
_TITLE_KIND_WITHOUT_DE = re.compile(r"(?:规划|方案|报告|要点|总结|办法|规定|纲要|规劃|報告)$")
# A one-line document: "国务院关于…的批复 国函〔2003〕88号 某某省人民政府： 你省……"; the title ends at its kind
# word, before the document number or a space.
_DOCUMENT_NUMBER_GLUED = r"[^\s，。,；;:：0-9]{1,12}[〔［\[(（【]\s*\d{4}\s*[〕］\])）】]\s*第?\s*\d{1,5}\s*号"
_GLUED_HEAD = re.compile(
    rf"[ \t]*(?P<title>[^\s。！？；;:：]{{2,{MAX_TITLE_CHARS}}}{_TITLE_KIND})"
    rf"(?:[ \t]*(?P<number>{_DOCUMENT_NUMBER_GLUED})[ \t]*|[ \t]+(?=\S))"
)
# A site's name glued onto the title from the page's <title> or banner ("某某网信息详情关于……的通知",
# "关于……的通知 - 某市人民政府").
_SITE_NAME_BEFORE_TITLE = re.compile(
    r"^[^\s。，]{2,30}?(?:(?:信息详情|详情页|详情|正文页|正文|内容页)(?=关于|[^\s。，]{4,}$)|(?:门户网站|政府网|网站|门户网)(?=关于))"
)
_SITE_NAME_AFTER_TITLE = re.compile(r"[ \t]*[-_|｜—][ \t]*[^-_|｜—\s]{2,30}(?:政府|网|门户|网站)$")


# Where a page's chrome ends at the latest: the salutation or the body's first heading.
_BODY_STARTS = re.compile(r"(?:各位|尊敬的|同志们|朋友们)[^\n]{0,20}[:：！!，,]|[一壹][、.．]|第一[章节条部编]|[（(]一[）)]")


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, str] = field(default_factory=dict)
    title: str = ""
    issuer: str | None = None
    date: str | None = None
    salutation: str | None = None
    body: str = ""


def split_front_matter(text: str) -> FrontMatter:
    """Take the metadata table, title, issuer/date and salutation off the top of cleaned text."""
    meta: dict[str, str] = {}
    site: dict[str, str] = {}
    text = take_page_chrome(text, site, stop=_BODY_STARTS)
    rest = _take_metadata_rows(text, meta, top=True)

    title, subtitles, rest = _take_title(_take_metadata_rows(_split_glued_head(rest), meta), meta)

    issuer = date = None
    found = (
        _ISSUER_AND_DATE.match(rest)
        or _ISSUER_LINE_THEN_DATE_LINE.match(rest)
        or (_ISSUER_AND_DATE_ON_ONE_LINE.match(rest) if title else None)
    )
    if found:
        issuer = (found.group("issuer") or "").strip() or None
        date = "".join(found.group("date").split())
        rest = rest[found.end() :]
    elif title:
        found = _BYLINE.match(rest) or (_NAME_ALONE.match(rest) if subtitles else None)
        if found:
            issuer = " ".join(found.group("issuer").split())
            rest = _take_metadata_rows(rest[found.end() :], meta)
        # "——2023年1月10日在…会议上": the subtitle dates the report.
        subtitle_date = _DATE_IN_SUBTITLE.search(subtitles)
        if subtitle_date:
            date = "".join(subtitle_date.group().split())

    rest = _take_metadata_rows(rest, meta)  # site lines under the byline ("编辑：…", "来源：…")
    salutation = None
    found = _SALUTATION.match(rest)
    if found and not _NOT_A_SALUTATION.match(found.group("salutation")):
        salutation = found.group("salutation")
        rest = _take_site_lines(rest[found.end() :], meta)
    # With an issuer or date from the top already, only a signature at the very end is taken (out of
    # the body, into meta["落款"]).
    known = issuer is not None or date is not None
    rest, signature = _take_back_matter(rest, at_end_only=known, meta=meta)
    if signature and known:
        meta["落款"] = " ".join(signature)
    elif signature:
        issuer, date = signature
    for key, value in site.items():
        meta.setdefault(key, _normalise_meta_value(value))
    return FrontMatter(meta=meta, title=title, issuer=issuer, date=date, salutation=salutation, body=rest.strip())


def _take_title(rest: str, meta: dict[str, str]) -> tuple[str, str, str]:
    """``(title, subtitles, rest)``: the title line(s) at the top of ``rest`` and the subtitle lines under
    them (an adoption note goes to ``meta`` instead), or no title."""
    first_line, _, after_first_line = rest.partition("\n")
    if not _could_be_title(first_line):
        return "", "", rest
    title, rest = _strip_site_name(first_line.strip()), after_first_line.lstrip()
    title, rest = _take_wrapped_title(title, rest)
    # A long title wrapped onto a second line ("关于印发《…》" / "的通知").
    for _ in range(MAX_TITLE_LINES - 1):
        next_line, _, after_next_line = rest.partition("\n")
        if not _continues_title(title, next_line.strip()):
            break
        title, rest = title + next_line.strip(), after_next_line.lstrip()
    repeated, _, after_repeated = rest.partition("\n")
    if repeated.strip() and len(repeated.strip()) >= 4 and title.endswith(repeated.strip()):
        rest = after_repeated.lstrip()  # the page's title, then the document's own ("政府工作报告") under it
    status_line, _, after_status = rest.partition("\n")
    if _TITLE_STATUS_LINE.fullmatch(status_line.strip()):
        title, rest = title + status_line.strip(), after_status.lstrip()
    # A subtitle on its own line ("——在第十四届全国人民代表大会第三次会议上", "（2023年1月10日在…
    # 会议上）") belongs to the title.
    subtitles = ""
    rest = _join_wrapped_brackets(_take_metadata_rows(rest, meta))  # "来源：云南日报" between title and subtitle
    while True:
        bare = _BARE_SUBTITLE.match(rest)
        if bare:  # "2026年1月27日在…会议上 陕西省省长 赵刚": the byline goes back on a line of its own
            subtitles, rest = subtitles + "——" + bare.group("subtitle"), rest[bare.end() :].lstrip(" \t").lstrip("\n")
            continue
        if not (rest.startswith(("——", "—", "－－", "―", "--")) or _PARENTHESISED_SUBTITLE.match(rest) or _ADOPTION_NOTE_LINE.match(rest)):
            break
        subtitle, _, rest = rest.partition("\n")
        if _ADOPTION_NOTE.search(subtitle.strip()):  # "（2018年9月28日…会议通过）" under a law's title
            meta["题注"], rest = subtitle.strip(), rest.lstrip()
            continue
        subtitles, rest = subtitles + subtitle.strip(), rest.lstrip()
        # "——2023年1月12日在某市第十七届人民代表大会第二次" / "会议上"
        wrapped = _SUBTITLE_END_LINE.match(rest)
        if subtitles.startswith(("—", "－", "―", "-")) and wrapped and not subtitles.endswith(("上", "讲话", "报告")):
            subtitles, rest = subtitles + wrapped.group(1), rest[wrapped.end() :].lstrip()
    rest = _take_metadata_rows(rest, meta)  # pages that put "发布日期：… 来源：…" under the title
    return title + subtitles, subtitles, rest


def _join_wrapped_brackets(text: str) -> str:
    """A bracketed line under a title wrapped onto the next line(s) ("（2018年9月28日…第五次" / "会议通过）")
    put back on one line."""
    if not text.startswith(("（", "(")):
        return text
    lines = text.split("\n", MAX_TITLE_LINES)
    joined = ""
    for count, line in enumerate(lines[:MAX_TITLE_LINES], 1):
        joined += line.strip()
        if len(joined) > MAX_TITLE_CHARS or _SENTENCE_END_INSIDE.search(joined):
            return text
        if joined.count("（") + joined.count("(") == joined.count("）") + joined.count(")"):
            return joined + "\n" + "\n".join(lines[count:]) if count > 1 else text
    return text


def _split_glued_head(text: str) -> str:
    """Put a one-line document's title, document number and the rest on lines of their own."""
    first_line, newline, after = text.partition("\n")
    number_first = _LEADING_DOCUMENT_NUMBER.match(first_line.strip())
    if number_first and first_line.strip()[number_first.end() :]:  # "国发〔2019〕12号 国务院关于…的决定"
        rest = first_line.strip()[number_first.end() :]
        return number_first.group(1) + "\n" + _split_glued_head(rest + newline + after)
    found = _GLUED_HEAD.match(first_line)
    if not found:
        return text
    remainder = first_line[found.end() :]
    if not (found.group("number") or _SENTENCE_END_INSIDE.search(remainder)):
        return text  # a title with a remark after it, not a whole document on one line
    parts = [found.group("title"), found.group("number") or "", remainder]
    return "\n".join(part for part in parts if part) + newline + after


def _strip_site_name(title: str) -> str:
    before = _SITE_NAME_BEFORE_TITLE.match(title)
    if before and len(title) - before.end() >= 4:
        title = title[before.end() :]
    after = _SITE_NAME_AFTER_TITLE.search(title)
    if after and _TITLE_KIND_AT_END.search(title[: after.start()]):
        title = title[: after.start()]
    return title


def _take_wrapped_title(title: str, rest: str) -> tuple[str, str]:
    """A title set on up to four lines ("国务院关于在某某先行区" / "暂时调整实施《某某条例》" / "有关规定的决定"):
    the lines are joined when the last of them ends with the document's kind. A first line that ends
    with a kind word inside the title ("关于进一步加强城市规划" / "建设管理工作的若干意见") is not yet whole."""
    if _is_whole_title(title):
        return title, rest
    lines = rest.split("\n")
    joined, taken = title, 0
    for count, line in enumerate(lines, 1):
        line = line.strip()
        if not line:
            continue  # web pages put a blank line between the title's paragraphs
        taken += 1
        if taken >= MAX_TITLE_LINES or len(joined) + len(line) > MAX_TITLE_CHARS or not _could_be_title(line):
            break
        if _MARKER.match(line) or _DOCUMENT_NUMBER.fullmatch(line) or _BYLINE.fullmatch(line):
            break
        joined += line
        if _is_whole_title(joined):
            return joined, "\n".join(lines[count:]).lstrip()
    return title, rest


def _is_whole_title(title: str) -> bool:
    """Ends with the document's kind, brackets closed, and a "关于…" title has its "的" ("关于…的意见")."""
    unclosed = any(title.count(opener) > title.count(closer) for closer, opener in _OPENER_FOR_CLOSER.items())
    about = title.find("关于")
    lacks_de = about >= 0 and "的" not in title[about:] and "的" not in "".join(_TITLE_KIND_AT_END.findall(title))
    return bool(_TITLE_KIND_AT_END.search(title)) and not unclosed and not (lacks_de and _TITLE_KIND_WITHOUT_DE.search(title))


def _take_metadata_rows(text: str, meta: dict[str, str], *, top: bool = False) -> str:
    """Read the metadata and chrome rows at the top of ``text`` into ``meta``; return what follows.
    ``top``: the text is the top of the page, where a site banner and a navigation bar may come first."""
    lines = text.split("\n")
    first = 0
    while first < len(lines):
        line = lines[first].strip()
        if _DOCUMENT_NUMBER.fullmatch(line):
            meta.setdefault("发文字号", line)
        elif top and _RED_HEADER.fullmatch(line):
            meta.setdefault("发文机关标志", " ".join(line.split()))
        elif top and _takes_top_date(line, meta):
            pass
        elif line and not _read_front_matter_row(line, meta):
            if not (top and (_SITE_BANNER.fullmatch(line) or _is_navigation_bar(line))):
                break
        first += 1
    return "\n".join(lines[first:]).lstrip()


def _takes_top_date(line: str, meta: dict[str, str]) -> bool:
    """"2024年01月05日　来源：新华网" above the title: the page's date (and fields), not a title."""
    stamp = _TOP_DATE.match(line)
    rest = line[stamp.end() :].strip() if stamp else ""
    fields: dict[str, str] = {}
    if not stamp or (rest and not _read_front_matter_row(rest, fields)):
        return False
    meta.setdefault("发布时间", _normalise_meta_value(stamp.group(1)))
    meta.update({key: value for key, value in fields.items() if key not in meta})
    return True


def _take_site_lines(text: str, meta: dict[str, str]) -> str:
    """Site lines under the salutation ("来源：某某日报", "责任编辑：李四"): only fields a site adds, so that
    a meeting notice's "时间：…" / "地点：…" stay its text."""
    lines = text.lstrip().split("\n")
    taken = 0
    for line in lines:
        fields: dict[str, str] = {}
        if not line.strip() or not _read_front_matter_row(line.strip(), fields) or not set(fields) <= _SITE_FIELDS:
            break
        meta.update({key: value for key, value in fields.items() if key not in meta})
        taken += 1
    return "\n".join(lines[taken:]) if taken else text


def _is_navigation_bar(line: str) -> bool:
    """"首页 | 政务公开 | 办事服务 | 互动交流": three or more short cells without punctuation."""
    cells = [cell for cell in re.split(r"\s*[|｜]\s*|\s{2,}", line) if cell]
    return len(cells) >= 3 and all(len(cell) <= MAX_NAVIGATION_CELL_CHARS and not _PUNCTUATION.search(cell) for cell in cells)


def _read_front_matter_row(line: str, meta: dict[str, str]) -> bool:
    """Add a metadata row's fields to ``meta``; False if the line is not metadata or page chrome."""
    cells = [cell.strip() for cell in line.split("|")]
    fields: dict[str, str] = {}
    recognised = False
    index = 0
    while index < len(cells):
        cell = cells[index]
        index += 1
        if not cell:
            continue
        if _PAGE_CHROME_CELL.fullmatch(cell):
            recognised = True
            continue
        chrome = _LEADING_CHROME.match(cell)
        if chrome:  # "字号：大 中 小　来源：…": chrome first, then fields
            recognised, cell = True, cell[chrome.end() :].strip()
            if not cell:
                continue
        number = _LEADING_DOCUMENT_NUMBER.match(cell)
        if number:  # "某政发〔2023〕12号　　签发人：张三"
            fields.setdefault("发文字号", number.group(1))
            recognised, cell = True, cell[number.end() :].strip()
            if not cell:
                continue
        stamp = _LEADING_DATE_TIME.match(cell)
        if stamp:  # "2025-03-06 08:12:30　来源：某某日报": a news page's time stamp
            fields.setdefault("发布时间", stamp.group(1))
            recognised, cell = True, cell[stamp.end() :].strip()
            if not cell:
                continue
        keys = list(_META_KEY_WITH_COLON.finditer(cell))
        alone = _META_KEY_ALONE.fullmatch(cell)
        if keys and "".join(keys[0].group(1).split()) in _ONLY_AFTER_ANOTHER_FIELD:
            return False  # "时间：5月10日" alone is a meeting notice's text; "发布人：… 时间：…" is metadata
        if keys and keys[0].start() == 0 and not alone:
            # "key: value", possibly several on one line ("发布日期：2020-08-27　来源：市政府办公室").
            for key, next_key in zip(keys, keys[1:] + [None]):
                value = cell[key.end() : next_key.start() if next_key else len(cell)]
                chrome = _CHROME_AFTER_VALUE.search(value)  # "来源：市发改委　浏览次数：1532"
                value = value[: chrome.start()] if chrome else value
                fields["".join(key.group(1).split())] = value
            recognised = True
            continue
        if alone:
            # "key | value": the value is the next cell, even when it is empty.
            fields["".join(alone.group(1).split())] = cells[index] if index < len(cells) else ""
            index += 1
            recognised = True
            continue
        return False  # anything else means the front matter table has ended
    for key, value in fields.items():
        value = _normalise_meta_value(value)
        if value and not _PAGE_CHROME_CELL.fullmatch(value):
            meta[key] = value
    return recognised


def _normalise_meta_value(value: str) -> str:
    value = " ".join(value.split())
    date = _DATE_TIME.fullmatch(value)
    if not date:
        return value
    year, month, day, hour, minute, second = date.groups()
    normalised = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        normalised += f" {int(hour):02d}:{int(minute):02d}"
        if second is not None:
            normalised += f":{int(second):02d}"
    return normalised


def _continues_title(title: str, line: str) -> bool:
    """Whether ``line`` is the rest of a title wrapped after ``title`` ("关于印发《…》" / "的通知")."""
    if not line or len(title) + len(line) > MAX_TITLE_CHARS or not _could_be_title(line):
        return False
    unclosed = any(title.count(opener) > title.count(closer) for closer, opener in _OPENER_FOR_CLOSER.items())
    if not unclosed and (
        _TITLE_KIND_AT_END.search(title) or not (line.startswith("的") or _TITLE_KIND_AT_END.search(line))
    ):
        return False
    return not (_MARKER.match(line) or _DOCUMENT_NUMBER.fullmatch(line) or _BYLINE.fullmatch(line))


def _could_be_title(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_TITLE_CHARS or _SENTENCE_END_INSIDE.search(line):
        return False
    if _SALUTATION.match(line) or _ISSUER_AND_DATE.match(line) or _PAGE_CHROME_CELL.fullmatch(line):
        return False
    # A document that opens with its first heading has no title line.
    marker = _MARKER.match(line)
    return not (marker and _marker_identity(marker)[1] == 1)


