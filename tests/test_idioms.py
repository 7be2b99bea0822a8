"""Words with numerals that are no quantities (idioms, list markers, fixed words) and the counts that stay."""

from __future__ import annotations

import pytest

from pipeline.fidelity import check_pair, extract_zh

NOT_QUANTITIES = [
    "第一时间成立工作专班", "推进长三角一体化发展", "提供一站式服务", "建设全国统一大市场", "一律依法处理",
    "一些地方财政困难", "一方面扩大内需，另一方面稳定外需", "一是稳增长，二是防风险", "第三产业增加值较快增长",
    "引入第三方评估", "发放一次性生活补助", "千方百计稳就业", "科技是第一生产力、人才是第一资源、创新是第一动力",
    "一以贯之抓落实", "统筹推进一体两翼", "坚持一张蓝图绘到底", "一如既往支持",
]


@pytest.mark.parametrize("zh", NOT_QUANTITIES)
def test_idioms_and_markers_are_no_quantities(zh):
    assert [q.text for q in extract_zh(zh) if q.must_match] == []


STILL_QUANTITIES = [
    ("从三个方面推进", [3.0]),
    ("发展第三支柱养老保险", [3.0]),
    ("推出两批重点事项清单", [2.0]),
    ("第二批试点", [2.0]),
    ("提高一个百分点", [1.0]),
    ("实现建军一百年奋斗目标", [100.0]),
    ("长江十年禁渔", [10.0]),
]


@pytest.mark.parametrize("zh, values", STILL_QUANTITIES)
def test_counts_next_to_idioms_stay(zh, values):
    assert [q.value for q in extract_zh(zh) if q.must_match] == values


def test_first_time_is_no_missing_figure():
    assert check_pair("疫情发生后，第一时间成立工作专班。", "A task force was set up immediately after the outbreak.") == []
