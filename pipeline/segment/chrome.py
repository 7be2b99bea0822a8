"""Site chrome of government CMS pages: tool bars, widgets, breadcrumbs and site fields.

Scraped report pages carry the site around the text: a tool bar (``下载 打印 全屏 收藏 【字号：加大 还原
减小】``), a breadcrumb (``您的位置: 首页 > 云南要闻``), site fields (``来源：浙江日报``, ``时间：2026-01-22``,
``阅读量：``), a photo caption (``……作政府工作报告。本报记者 霍艳恩摄``) and a footer (``相关报道：``,
``扫一扫在手机打开当前页``, ``【关闭窗口】``). Each of these lines is recognised on its own, by its whole
text: a line of the report never consists only of such words.

:func:`take_page_chrome` removes the chrome at the top and the bottom of a page (the values of the site
fields go to ``meta``); :func:`is_chrome_line` is the same test, used by the structure lint.
"""

from __future__ import annotations

import re

# A line that is one tool-bar widget or a piece of one ("【字号：", "加大", "】").
_WIDGET_WORDS = (
    r"下载|打印|打印本页|打印文章|全屏|收藏|收藏本页|加入收藏|关闭|关闭窗口|关闭本页|返回顶部|返回|顶部|纠错|保存本页"
    r"|分享|分享到|分享至|分享到微信|分享到微博|分享到QQ空间|微信|微博|QQ空间|复制链接|朗读|听全文|阅读模式"
    r"|字号|字体|文字大小|加大|还原|减小|放大|缩小|默认|大|中|小"
    r"|扫一扫|扫一扫在手机打开当前页|扫一扫在手机上查看当前页面|手机扫码阅读|用手机扫描二维码|相关报道|相关文档|相关链接|相关新闻"
    r"|》》点击图片进入专题《《|点击图片进入专题|首页|您的位置|当前位置|你的位置|所在位置|您现在的位置"
)


MAX_CHROME_LINE_CHARS = 80  # a longer line is never chrome (and never tried against these patterns)


def _widgets(extra: str) -> re.Pattern[str]:
    # Whitespace only after a token, so that a line has one way to match (no backtracking blow-up).
    return re.compile(rf"\s*(?:(?:[【\[]\s*)?(?:{_WIDGET_WORDS}|{extra})\s*(?:[:：]\s*)?(?:[】\]]\s*)?)+")


_WIDGET_LINE = _widgets(r"[【】\[\]×✕|｜]")
# Under the text only these: a footer line with "|" between links may be the site's, or the document's.
_FOOTER_WIDGET_LINE = _widgets(r"[【】×✕]")
# "首页 > 政务信息 > 宁夏要闻" or its pieces on lines of their own (">", "云南要闻").
_BREADCRUMB = re.compile(r"\s*[>»›]\s*|(?:\s*[^\s>»›。，；]{1,12}\s*[>»›]\s*)+[^\s>»›。，；]{0,12}\s*")
# Site fields with a colon: the value may follow on the same line or on the next one.
SITE_FIELDS = {
    "来源": "来源", "稿源": "来源", "文章来源": "来源", "信息来源": "来源", "时间": "发布时间", "发布时间": "发布时间",
    "发表时间": "发布时间", "发布日期": "发布时间", "日期": "发布时间", "作者": "作者", "责任编辑": "责任编辑", "编辑": "责任编辑",
    "阅读量": "阅读量", "浏览量": "阅读量", "浏览次数": "阅读量", "访问量": "阅读量", "点击数": "阅读量",
    "审核": "审核", "校对": "校对", "供稿": "供稿", "分享": "分享", "分享到": "分享", "分享至": "分享",
}  # fmt: skip
_FIELD = re.compile(
    r"\s*(?P<key>" + "|".join(sorted(SITE_FIELDS, key=len, reverse=True)) + r")\s*[:：]\s*(?P<value>[^。！？；|｜:：]{0,40}?)\s*$"
)
# A value alone on the line after its key: a date-time, a count, or a short name.
_DATE_TIME_ALONE = re.compile(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*")
_COLON = re.compile(r"[:：]")
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_ARROW = re.compile(r"[>»›]")
_CRUMB = re.compile(r"[^\s>»›。，；：:、]{1,10}")
_CLOCK_STAMP = re.compile(r"\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2}(?::\d{2})?\s*")
_SHORT_VALUE = re.compile(r"\s*[^\s。，！？；：:]{1,20}\s*")
# A photo caption: "……作政府工作报告。本报记者 霍艳恩摄", "殷勇同志作政府工作报告。".
_CAPTION = re.compile(r".{0,60}(?:记者|摄影|通讯员|图)[ \t:：]*[^\s。，]{1,6}(?:[ \t][^\s。，]{1,3})?[ \t]*摄[。.]?\s*|[^\s，。]{2,12}(?:同志)?作政府工作报告。?\s*")
_COUNT_AFTER_WIDGET = re.compile(r"(?:阅读量|浏览量|浏览次数|访问量|点击数)\s*[:：]?\s*\d{0,9}\s*(?:次|人次)?")


def is_chrome_line(line: str) -> bool:
    """Whether a whole line (or segment) is site chrome: a widget, a breadcrumb, a site field or a caption."""
    line = line.strip()
    if not line or len(line) > MAX_CHROME_LINE_CHARS:
        return False
    return bool(
        _WIDGET_LINE.fullmatch(line) or _BREADCRUMB.fullmatch(line) or _FIELD.fullmatch(line) or _CAPTION.fullmatch(line)
    )


def take_page_chrome(text: str, meta: dict[str, str], *, stop: re.Pattern[str] | None = None) -> str:
    """``text`` without the site chrome at its top and bottom; the site fields' values go to ``meta``
    (``来源`` the outlet, ``时间`` the publication time, ...) unless ``meta`` has them already.

    At the top, chrome lines are removed up to the first line that ``stop`` matches at its start (the
    salutation or the first heading), so that a report's own lines between the chrome (title, subtitle,
    byline) stay; at the bottom, trailing chrome lines are removed."""
    lines = text.split("\n")
    end = len(lines)
    if stop is not None:
        end = next((i for i, line in enumerate(lines) if stop.match(line.strip())), min(len(lines), 60))
    kept: list[str] = []
    crumbs: set[str] = set()  # the breadcrumb's items ("云南要闻"), which pages repeat under it
    seen: set[str] = set()  # lines kept so far: a page repeats its title block (share box, then page)
    index = 0
    while index < len(lines):
        line = lines[index]
        if index >= end:
            kept.extend(lines[index:])
            break
        stripped = " ".join(line.split())
        field = _FIELD.fullmatch(stripped)
        previous = _FIELD.fullmatch(kept[-1].strip()) if kept else None
        if field and previous and SITE_FIELDS[field.group("key")] == "发布时间" and SITE_FIELDS[previous.group("key")] == "来源":
            # "来源：浙江日报" / "时间：2026-01-22": one row of site fields, as the front matter reads them
            kept[-1] = f"{kept[-1].rstrip()}　{stripped}"
            index += 1
            continue
        taken = _take_chrome_at(lines, index, meta)
        if not taken and (stripped in crumbs or _repeats(stripped, seen)):
            taken = 1
        if taken:
            if _ARROW.fullmatch(stripped) and index + 1 < len(lines) and _CRUMB.fullmatch(lines[index + 1].strip()):
                crumbs.add(lines[index + 1].strip())
                taken += 1
            index += taken
            continue
        kept.append(line)
        seen.add(stripped)
        index += 1
    # the footer
    while kept and (not kept[-1].strip() or _is_footer_line(kept, len(kept) - 1, meta)):
        kept.pop()
    return "\n".join(kept)


def _repeats(line: str, seen: set[str]) -> bool:
    """A line the top of the page has shown already: the title block again, or the title's end alone
    ("政府工作报告" under "2026年宁夏回族自治区政府工作报告")."""
    if len(line) < 4 or _SENTENCE_END.search(line):
        return False
    return line in seen or any(
        len(other) > len(line) and other.endswith(line) and not _COLON.search(other) for other in seen
    )


def _take_chrome_at(lines: list[str], index: int, meta: dict[str, str]) -> int:
    """How many lines from ``index`` are one piece of chrome (0: the line is not chrome).

    A site field with its value on the same line ("来源：浙江日报") is left to the front matter's reader,
    which knows when "时间：" is a meeting's time rather than the page's; a key alone with its value on
    the next line ("来源：" / "陕西省人民政府") is put back on one line for it (``lines`` is changed)."""
    line = lines[index].strip()
    if not line or len(line) > MAX_CHROME_LINE_CHARS:
        return 0
    field = _FIELD.fullmatch(line)
    if field:
        key, value = field.group("key"), field.group("value").strip()
        if SITE_FIELDS[key] in ("分享", "阅读量"):
            return 1  # "分享:", "阅读量：" are widgets; a count after them is not a value worth keeping
        if not value and index + 1 < len(lines):
            following = lines[index + 1].strip()
            if _DATE_TIME_ALONE.fullmatch(following) or (
                _SHORT_VALUE.fullmatch(following) and not _FIELD.fullmatch(following) and not _WIDGET_LINE.fullmatch(following)
            ):
                # A key and its value on lines of their own is a CMS page's layout, never a document's.
                _store(meta, SITE_FIELDS[key], following)
                return 2
        if key == "发表时间":
            _store(meta, "发布时间", value)
            return 1
        return 0
    if _CLOCK_STAMP.fullmatch(line):  # "2026-02-03 09:02:33": the page's time stamp
        _store(meta, "发布时间", line)
        return 1
    if _WIDGET_LINE.fullmatch(line) or _BREADCRUMB.fullmatch(line) or _CAPTION.fullmatch(line) or _COUNT_AFTER_WIDGET.fullmatch(line):
        return 1
    return 0


def _is_footer_line(lines: list[str], index: int, meta: dict[str, str]) -> bool:
    """The page's footer under the text: widgets only ("相关报道：", "扫一扫在手机打开当前页", "【关闭窗口】")."""
    line = lines[index].strip()
    return len(line) <= MAX_CHROME_LINE_CHARS and bool(_FOOTER_WIDGET_LINE.fullmatch(line))


def _store(meta: dict[str, str], key: str, value: str) -> None:
    value = " ".join(value.split())
    if value and key not in ("分享", "阅读量") and not _WIDGET_LINE.fullmatch(value):
        meta.setdefault(key, value)
