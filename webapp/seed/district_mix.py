"""What a generated district's year of reports looks like (district_reports.py lives it
through): which categories in which month, the days and hours they come at, what residents
write and staff answer, how they rate and by which channel reports come in."""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import date, datetime, timedelta

# category code: (weight, per-month factors Jan..Dec)
CATEGORY_MIX = {
    "water": (20, (1.3, 1.2, 1, 1, 1, 1.3, 1.6, 1.5, 1, 1, 1, 1.2)),
    "electricity": (15, (1.1, 1, 1, 1, 1, 1.1, 1.3, 1.3, 1, 1, 1, 1.1)),
    "sanitation": (15, (0.9, 1.2, 1, 1, 1.1, 1.3, 1.4, 1.4, 1.1, 1, 0.9, 0.9)),
    "greenery": (5, (0.2, 0.3, 0.8, 1.8, 2, 2, 1.8, 1.6, 1.2, 0.8, 0.4, 0.2)),
    "parking": (12, (1, 1.3, 1, 1, 1, 1, 1, 1, 1.1, 1.2, 1, 1)),
    "safety": (6, (1.2, 1.4, 1, 1, 1, 1, 1.1, 1.1, 1, 1, 1, 1.2)),
    "elevator": (6, (1, 1, 1, 1, 1, 1.1, 1.2, 1.2, 1, 1, 1, 1)),
    "heating": (6, (3, 2.5, 1.5, 0.3, 0.05, 0.05, 0.05, 0.05, 0.1, 0.8, 4, 3.5)),
    "dispute": (4, (1, 1.2, 1, 1, 1, 1.1, 1.2, 1.2, 1, 1, 1, 1)),
    "other": (11, (1,) * 12),
}
MONTH_LOAD = (1.15, 1.0, 0.95, 0.9, 0.95, 1.1, 1.2, 1.15, 0.95, 0.9, 1.05, 1.2)
HOURS = (1, 0.5, 0.3, 0.3, 0.4, 1, 3, 7, 10, 9, 8, 6, 4, 4, 6, 7, 7, 7, 8, 9, 8, 6, 4, 2)
WEEKEND = 0.75
SPRING_FESTIVAL = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
                   2027: date(2027, 2, 6), 2028: date(2028, 1, 26)}
# What residents write, a category's texts one per line ({f}: a floor).
DESCRIPTIONS = {code: texts.strip().splitlines() for code, texts in {
    "water": """
{f}楼道水管漏水，地面全是水。
卫生间下水道堵了，返味严重。
单元门口积水，出入不便。
楼顶水箱漏水，顶楼墙面渗水。
家里停水一天了，请查一下原因。
地下室管道爆裂。""",
    "electricity": """
楼道灯不亮了，晚上上下楼看不清。
{f}感应灯坏了。
单元门禁没电，打不开。
路灯一闪一闪的。
电表箱门坏了，电线露在外面。""",
    "sanitation": """
垃圾桶满了没人清。
楼道里堆满杂物，气味难闻。
小区里有建筑垃圾一直没运走。
化粪池外溢。
{f}楼梯扶手很脏，很久没打扫了。""",
    "greenery": """
树枝挡住了{f}窗户。
草坪很久没修剪了。
大树歪了，怕倒。
绿化带里有死树。""",
    "parking": """
消防通道被私家车长期占用。
电动车在楼道里充电。
车位被外来车辆占用。
单元门口乱停车，救护车进不来。""",
    "safety": """
楼道里的灭火器过期了。
{f}外墙瓷砖脱落，很危险。
井盖松动了。
小区大门的护栏坏了。""",
    "elevator": """
电梯异响，停在半层。
电梯门关不上。
电梯按钮失灵。
电梯里有人被困过，请检修。""",
    "heating": """
暖气片不热。
{f}暖气漏水。
整栋楼暖气温度太低。
暖气管道有异响。""",
    "dispute": """
楼上噪音太大，晚上睡不着。
邻居在公共区域堆放物品。
楼上漏水到我家，协商不成。""",
    "other": """
建议在小区里增加休息座椅。
快递柜坏了。
小区广播声音太大。
想咨询一下公共维修基金的事。""",
}.items()}
RESOLVED_NOTES = ("已修复，请查看。", "已派人处理完毕。", "已更换新的配件。", "已清理干净。",
                  "已协调相关人员处理。")
REPLIES = ("您好，您的报事已收到，我们会尽快安排人员处理。",
           "维修师傅已安排，将在约定时间上门，请保持电话畅通。",
           "网格员已到现场查看，后续将加强巡查。")
REJECT_REASONS = ("不属于社区和物业的处理范围，已告知居民拨打12345。",
                  "信息不全，已电话联系居民。")
RATINGS, RATING_WEIGHTS = (5, 4, 3, 2, 1), (55, 25, 10, 5, 5)
CHANNELS = (("qr", 85), ("phone", 7), ("patrol", 4), ("visit", 2), ("open311", 1),
            ("meeting", 1))
STAFF_FILED = {"phone", "visit", "patrol", "meeting"}


def arrivals(count: int, rnd: random.Random, now: datetime) -> list[datetime]:
    """`count` moments over the year before `now`, in order, shaped by month, weekday,
    holiday and hour."""
    first = (now - timedelta(days=365)).date()
    days = [first + timedelta(days=n) for n in range(1, 366)]
    weights = [MONTH_LOAD[d.month - 1] * (WEEKEND if d.weekday() >= 5 else 1)
               * (0.5 if _festive(d) else 1) for d in days]
    day_cum = list(itertools.accumulate(weights))
    hour_cum = list(itertools.accumulate(HOURS))
    offset = timedelta(hours=8)  # Asia/Shanghai: the hours above are local
    moments = []
    for _ in range(count):
        day = days[bisect.bisect(day_cum, rnd.random() * day_cum[-1])]
        hour = bisect.bisect(hour_cum, rnd.random() * hour_cum[-1])
        moment = datetime(day.year, day.month, day.day, hour) - offset + \
            timedelta(seconds=rnd.randrange(3600), microseconds=rnd.randrange(10**6))
        moments.append(min(moment, now - timedelta(seconds=1)))
    moments.sort()
    return moments


def _festive(day: date) -> bool:
    start = SPRING_FESTIVAL.get(day.year)
    return start is not None and 0 <= (day - start).days < 8
