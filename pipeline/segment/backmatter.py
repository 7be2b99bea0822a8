"""The back matter under a document's text: the site footer, source lines and the signature.

A notice signs at its end (issuer line or lines, the date, notes such as "（此件公开发布）"); a covering
notice ("关于印发…的通知") signs before the document it issues. Issuer and date become the document's,
the notes go to ``meta["附注"]``; site footers and comment prompts are dropped, a source line
("（来源：新华网）") goes to ``meta["来源"]``.
"""

from __future__ import annotations

import re

from .cleanup import _SENTENCE_END_INSIDE
from .paragraphs import _ends_sentence

_DATE_IN_TEXT = r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?"
_ORGANISATION_SUFFIX = (
    r"(?:政府|委员会|常委会|办公室|办公厅|国务院|局|厅|委|部门|单位|机构|公司|街道办事处|办事处|学校"
    r"|委員會|常委會|辦公室|辦公廳|國務院|廳|部門|單位|機構|辦事處|學校)"  # traditional forms
)
# The signature at the bottom of a notice: issuer line(s), then the date, then notes like "（此件公开发布）".
_CN_DATE = r"[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月(?:[一二三四五六七八九十]{1,3}日)?"
_ORGANISATION = rf"(?:国务院|國務院|[^\s，。,；;:：()（）、]{{2,30}}{_ORGANISATION_SUFFIX})"
# Joint issuers ("中共某市委　某市人民政府") sign on one line.
_SIGNATURE_ISSUER = re.compile(rf"{_ORGANISATION}(?:[ \t]+{_ORGANISATION})*")
_SIGNATURE_DATE = re.compile(rf"{_DATE_IN_TEXT}|{_CN_DATE}")
_SIGNATURE_ON_ONE_LINE = re.compile(
    rf"(?P<issuer>{_ORGANISATION})[ \t]+(?P<date>{_DATE_IN_TEXT}|{_CN_DATE})"
)
_SIGNATURE_AFTER_TEXT = re.compile(
    rf"(?<=[。！？!?])[ \t]+(?P<issuer>{_ORGANISATION})[ \t]+"
    rf"(?P<date>{_DATE_IN_TEXT}|{_CN_DATE})[ \t]*$"
)
_SIGNATURE_NOTE = re.compile(
    r"[（(][^（()）\n]{1,40}[）)]"  # （此件公开发布）
    r"|(?:抄送|抄报|主送|联系人|联系电话)\s*[:：].*"  # the record block below a signature
    r"|[^。！？!?；;]{2,60}印发"  # 某市人民政府办公室　2023年5月9日印发
)
# Site footer lines below the text ("主办单位：…", "网站标识码：…", "ICP备…").
MAX_SITE_FOOTER_CHARS = 200
# "相关文件：" and the titles of other pages under it, at the end of a page.
_LINK_LIST_HEADER = re.compile(
    r"\W*(?:相关文件|相关链接|相关阅读|相关新闻|相关信息|相关稿件|相关解读|延伸阅读|推荐阅读|猜你喜欢|热点推荐|热门文章|专题推荐)\s*[:：]?\W*"
)
MAX_LINK_LIST_LINES = 30
MAX_LINK_CHARS = 80
_SITE_FOOTER = re.compile(
    r"主办单位|承办单位|网站标识码|ICP备|公网安备|版权所有|Copyright|©|技术支持|网站地图|联系我们"
    r"|^\W*(?:上一篇|下一篇|相关链接|相关阅读|相关文件|扫一扫|打印本页|关闭窗口|返回顶部|分享到)"
    r"|^\W*(?:责任编辑|编辑|审核|校对|终审)\s*[:：]"
    # comment threads and app promotions under a news page
    r"|^\W*(?:评论|返回|返回列表|返回首页|登录|注册|点赞|收藏|关闭|打印|纠错|TOP|Top)\W*$|发表评论|评论回复|提交回复|我要评论|网友评论|查看评论|登录后"
    r"|^[（(]完[）)]$|尽在.{0,20}(?:APP|App|app|客户端)|下载.{0,20}(?:APP|App|app|客户端)|(?:扫码|二维码)",
    re.I,
)

_SOURCE_LINE = re.compile(r"[（(【\[]?\s*(?:来源|稿源|信息来源|文章来源)\s*[:：]\s*(?P<source>[^（()）【】\[\]\n]{1,40}?)\s*[）)】\]]?")


def _drop_link_lists(lines: list[str]) -> list[str]:
    """Lines without a trailing list of links ("相关文件：" then other documents' titles): from its
    header to the end, when all that follows is short lines without a sentence end."""
    for index in range(len(lines) - 1, max(-1, len(lines) - MAX_LINK_LIST_LINES - 2), -1):
        if _LINK_LIST_HEADER.fullmatch(lines[index].strip()):
            after = [line.strip() for line in lines[index + 1 :] if line.strip()]
            if all(len(line) <= MAX_LINK_CHARS and not _SENTENCE_END_INSIDE.search(line) for line in after):
                return lines[:index]
    return lines


def _take_back_matter(
    text: str, *, at_end_only: bool = False, meta: dict[str, str] | None = None
) -> tuple[str, tuple[str, str] | None]:
    """Drop the site footer below the text and take a notice's signature (issuer line and date line, or
    both on one line) out of the text: the one at its end, where notes like "（此件公开发布）" may follow
    it, else (unless ``at_end_only``) the first one after a sentence end (a covering notice "关于印发…的
    通知" signs before the text it issues). The notes below a signature at the end go into
    ``meta["附注"]``."""
    lines = _drop_link_lists(text.rstrip().split("\n"))
    filled = [index for index, line in enumerate(lines) if line.strip()]
    # A footer line carries no sentence end: "加强技术支持。" is the report's last sentence, not chrome.
    while filled and len(lines[filled[-1]]) <= MAX_SITE_FOOTER_CHARS:
        last = lines[filled[-1]].strip()
        source = _SOURCE_LINE.fullmatch(last)
        if source:  # "（来源：新华网）" under a reprinted text: where it came from, not text
            if meta is not None:
                meta.setdefault("来源", source.group("source").strip())
        elif not (_SITE_FOOTER.search(last) and not _SENTENCE_END_INSIDE.search(last)):
            break
        del lines[filled.pop() :]
    notes = 0
    while notes < len(filled) and _SIGNATURE_NOTE.fullmatch(lines[filled[-1 - notes]].strip()):
        notes += 1
    candidates = [len(filled) - 1 - notes] + ([] if at_end_only else list(range(1, len(filled) - 1 - notes)))

    def take_notes() -> None:
        if notes and meta is not None:
            meta["附注"] = " ".join(" ".join(lines[index].split()) for index in filled[len(filled) - notes :])
            del lines[filled[len(filled) - notes] :]

    for position, k in enumerate(candidates):
        if k < 1 or (position > 0 and not _ends_sentence(lines[filled[k - 1]].strip())):
            continue
        line = lines[filled[k]].strip()
        one_line = _SIGNATURE_ON_ONE_LINE.fullmatch(line)
        if one_line:
            if position == 0:
                take_notes()
            del lines[filled[k]]
            return "\n".join(lines), (one_line.group("issuer"), "".join(one_line.group("date").split()))
        first = k if position > 0 else k - 1  # the candidate is the date line at the end, the issuer line inside
        if first < 1 or first + 1 >= len(filled):
            continue
        issuer_line, date_line = _unspace(lines[filled[first]].strip()), lines[filled[first + 1]].strip()
        if _SIGNATURE_ISSUER.fullmatch(issuer_line) and _SIGNATURE_DATE.fullmatch(date_line):
            if position == 0:
                take_notes()
            del lines[filled[first] : filled[first + 1] + 1]
            return "\n".join(lines), (issuer_line, "".join(date_line.split()))
    if len(filled) > notes:  # text scraped onto one line: "…请认真贯彻执行。 某市人民政府 2023年4月15日"
        last = filled[-1 - notes]
        found = _SIGNATURE_AFTER_TEXT.search(lines[last])
        if found:
            take_notes()
            lines[last] = lines[last][: found.start()]
            return "\n".join(lines), (found.group("issuer"), "".join(found.group("date").split()))
    return "\n".join(lines), None


def _unspace(line: str) -> str:
    """"国　务　院" -> "国务院": a name spaced out one character at a time for typography."""
    tokens = line.split()
    return "".join(tokens) if len(tokens) > 1 and all(len(token) == 1 for token in tokens) else line
