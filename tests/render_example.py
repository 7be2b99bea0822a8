"""A small hand-built document for the render tests: real sentences of the sample report (examples/),
English written by hand, summaries that cite their sources, and one flag of each common kind.

Hand-written English (not the tiny models' random output) so that the reader's screenshot in docs/
shows what a reader sees, and so that tests can assert on known text.
"""

from __future__ import annotations

from pipeline.document import Bilingual, Document, Flag, Section, Segment, Summary, SummarySentence

RETRY = ("machine translation still degenerate after a stricter retry "
         "(no_repeat_ngram_size=3, repetition_penalty=1.2); check this sentence")


def _seg(sid: str, zh: str, en: str, *flags: Flag) -> Segment:
    return Segment(id=sid, zh=zh, en=en, flags=list(flags))


def _sum(*sentences: tuple[str, list[str]] | tuple[str, list[str], list[Flag]], method="abstractive") -> Summary:
    return Summary([SummarySentence(s[0], s[1], list(s[2]) if len(s) > 2 else []) for s in sentences], method)


def example_document() -> Document:
    review = Section(
        id="sec-1", level=1, marker="一、", title=Bilingual("上半年工作回顾", "Review of the work in the first half"),
        summary=_sum(("Output reached 55.12 billion yuan, up 1.2%, while budget revenue fell 1.5%.", ["s3", "s4"]),
                     ("Urban and rural disposable incomes grew 3.2% and 2.4%.", ["s5"])),
        segments=[
            _seg("s2", "今年以来,我们团结带领全市人民,统筹推进疫情防控和经济社会发展工作,经济社会发展回暖向好态势明显。",
                 "Since the beginning of this year we have led the people of the city in coordinating epidemic "
                 "control with economic and social development, and the economy has clearly picked up."),
            _seg("s3", "上半年,实现地区生产总值551.2亿元,增长1.2%;",
                 "In the first half, GDP reached 55.12 million yuan, an increase of 1.2%;",
                 Flag("number", "magnitude",
                      "551.2亿元 (5.512e+10) appears as 55.12 million (5.512e+07) in English: off by a power of ten")),
            _seg("s4", "一般公共预算收入64.34亿元,负增长1.5%;",
                 "public budget income was 6.434 billion yuan, down 1.5%;",
                 Flag("term", "term-missing", "一般公共预算收入 should appear as one of: general public budget revenue")),
            _seg("s5", "城镇和农村居民人均可支配收入达到34381元和20334元,分别增长3.2%和2.4%。",
                 "Per capita disposable income of urban and rural residents reached 34,381 yuan and 20,334 yuan, "
                 "up 3.2% and 2.4% respectively."),
        ],
        sections=[Section(
            id="sec-1-1", level=2, marker="1、", title=Bilingual("经济运行总体稳定。", "The economy ran stably overall."),
            segments=[
                _seg("s6", "把稳增长摆在经济工作最突出的位置,扎实做好“六稳”“六保”工作。",
                     "We put stable growth first in economic work and did solid work on the \"six stabilities\" "
                     "and \"six guarantees\"."),
                _seg("s7", "工业攻坚指数达到90.35分,位居全省第8、宁波第1。",
                     "The industrial push index reached 90.35 points, 8th in the province and 1st in Ningbo."),
            ])],
    )
    plans = Section(
        id="sec-2", level=1, marker="二、", title=Bilingual("下半年重点工作安排", "Priorities for the second half"),
        summary=_sum(("The city will expand investment, focusing on key projects and investment promotion.",
                      ["s8", "s9", "s10"])),
        segments=[_seg("s8", "具体抓好以下六方面工作:", "Specifically, we will do the following six things well:")],
        sections=[Section(
            id="sec-2-1", level=2, marker="(一)", title=Bilingual("有力有效推动投资持续扩大。",
                                                                  "Expand investment effectively."),
            sections=[
                Section(id="sec-2-1-1", level=3, marker="一是", title=Bilingual("盯牢重点项目推进。",
                                                                            "Keep key projects moving."),
                        segments=[_seg("s9", "完善重大项目领导联系制度,做好项目落户、开工、投产等环节的协调服务。",
                                       "Improve the system of leaders in charge of major projects and coordinate "
                                       "siting, construction and commissioning.")]),
                Section(id="sec-2-1-2", level=3, marker="二是", title=Bilingual("盯紧重要商资引扩。",
                                                                            "Attract major investment."),
                        segments=[_seg("s10", "开展招商攻坚专项行动,拉动有效投资持续放量。",
                                       "Carry out a special investment drive drive drive drive drive drive",
                                       Flag("degenerate", "repetition", RETRY))]),
            ])],
    )
    return Document(
        source="yuyao-2020-h1-report.txt",
        title=Bilingual("2020年上半年度政府工作报告", "Report on the Work of the Government for the First Half of 2020"),
        meta={"发布日期": "2020-08-27 16:38", "发布机构": "市政府办公室"},
        issuer="余姚市人民政府", date="2020年8月", salutation="各位代表:",
        preamble=[_seg("s1", "现向你们书面报告今年上半年政府工作和下半年主要工作安排,请予审议。",
                       "I now present to you in writing the government's work in the first half of the year and "
                       "its main plans for the second half, for your deliberation.")],
        sections=[review, plans],
        summary=_sum(
            ("Yuyao's economy recovered in the first half of 2020 while the epidemic was kept under control.",
             ["s2"]),
            ("GDP reached 55.12 billion yuan, up 1.2%; budget revenue fell 1.5%.", ["s3", "s4"]),
            ("Incomes grew 3.5% in towns.", ["s5"],
             [Flag("number", "unsupported-number", "3.5% is not in its sources (s5)")]),
            ("In the second half the city will expand investment and push key projects.", ["s8", "s9"]),
        ),
        provenance={"config": {"file": "configs/default.yaml", "hash": "9ff5f2009083"},
                    "source": {"file": "yuyao-2020-h1-report.txt", "sha256": "5d096ccd47f2"},
                    "translator": {"model": "Helsinki-NLP/opus-mt-zh-en", "revision": "cf109095",
                                   "backend": "transformers"},
                    "summarizer": {"kind": "abstractive", "model": "sshleifer/distilbart-cnn-12-6",
                                   "revision": "a4f8f3ea"}},
        qa={"segments_checked": 10, "segments_flagged": 3, "flags_by_kind": {"degenerate": 1, "number": 1, "term": 1},
            "flags_by_reason": {"magnitude": 1, "repetition": 1, "term-missing": 1},
            "flagged_segments": ["s3", "s4", "s10"], "titles_checked": 7, "titles_flagged": 0,
            "summary_sentences": 7, "summary_sentences_flagged": 1},
    )
