"""The constructions Chinese reports state facts in, one table per construction.

Every sentence here is written for the test (names, places and bodies are made
up), never copied from the sample or dev reports; each row checks one behaviour,
and the negatives check what the construction must not give.
"""

from __future__ import annotations

import pytest

from graph.extract.result import extract

HOLDS = "holds_position"
PART = "participated_in"


def _result(nlp, text):
    return extract(nlp(text), "t.txt")


def _facts(result):
    return {(r.subject, r.predicate.value, r.object, r.role) for r in result.relations}


def _entities(result):
    return {(e.type.value, e.name) for e in result.entities}


# 1. A unit named by its shape starts organizations; short forms resolve to it.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "3月5日，青石镇总工会召开会员代表大会。镇委书记王立军出席会议。",
            ("王立军", HOLDS, "青石镇委", "书记"),
        ),
        (
            "河口县妇联召开执委会议。县委副书记赵云出席会议。",
            ("赵云", HOLDS, "河口县委", "副书记"),
        ),
        (
            "沙县总工会召开全委会议。县委副书记林涛出席会议。",
            ("林涛", HOLDS, "沙县县委", "副书记"),
        ),
        ("县委副书记周明出席会议。", ("周明", HOLDS, "县委", "副书记")),
        (
            "紫云高新区团委召开表彰大会。高新区党委副书记韩冰参加会议。",
            ("韩冰", HOLDS, "紫云高新区党委", "副书记"),
        ),
        (
            "州委副书记马林宣布大赛开幕，州政协副主席、州总工会主席杨帆主持。",
            ("杨帆", HOLDS, "州总工会", "主席"),
        ),
    ],
)
def test_unit_short_forms(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("全县妇联干部参加了培训。", ("ORG", "全县妇联")),
        ("会议听取了审查浙江省人民政府工作的报告。", ("ORG", "审查浙江省人民政府")),
        ("县直相关部门负责人列席会议。", ("ORG", "县直相关部")),
        ("工作纳入到省委的考核。", ("ORG", "工作纳入到省委")),
    ],
)
def test_no_unit_where_there_is_none(rules_nlp, text, entity):
    assert entity not in _entities(_result(rules_nlp, text))


# 2. Place posts (县长) are held in the government, never in the 县委 before them.
def test_place_post_goes_to_the_named_government(rules_nlp):
    facts = _facts(_result(rules_nlp, "县委副书记、县长孙浩主持召开县政府常务会议。"))
    assert ("孙浩", HOLDS, "县政府", "县长") in facts
    assert ("孙浩", HOLDS, "县委", "副书记") in facts
    assert ("孙浩", HOLDS, "县委", "县长") not in facts


def test_place_post_without_its_government_gives_nothing(rules_nlp):
    facts = _facts(_result(rules_nlp, "县委副书记、县长孙浩出席会议。"))
    assert not any(f[3] == "县长" for f in facts)


# 3. Elections and appointments: the post, and 当选 in the meeting.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "4月2日，县妇联五届三次执委(扩大)会召开。会议表决通过了张华、刘洋任县妇联副主席。",
            ("刘洋", HOLDS, "县妇联", "副主席"),
        ),
        (
            "4月2日，县妇联五届三次执委(扩大)会召开。会议表决通过了张华、刘洋任县妇联副主席。",
            ("张华", PART, "县妇联五届三次执委(扩大)会", "当选"),
        ),
        (
            "来源:华新建材有限公司\n\n6月1日，公司召开首届职工代表大会。"
            "王刚同志当选为公司第一届工会委员会主席。",
            ("王刚", HOLDS, "华新建材有限公司第一届工会委员会", "主席"),
        ),
        (
            "来源:华新建材有限公司\n\n公司党总支委员、副总经理陈平主持会议。",
            ("陈平", HOLDS, "华新建材有限公司", "副总经理"),
        ),
    ],
)
def test_elections(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


# 4. The report's own meeting, named once and then called 会议 / 开幕式.
MEETING = "5月6日，红河县第十届人大常委会第五次会议召开。"


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            MEETING + "县人大常委会主任杨林主持会议。",
            ("杨林", PART, "红河县第十届人大常委会第五次会议", "主持"),
        ),
        (
            MEETING + "县委副书记王强、县政协副主席李梅、县法院院长张力出席会议。",
            ("李梅", PART, "红河县第十届人大常委会第五次会议", "出席"),
        ),
        (
            MEETING + "县人大常委会副主任赵红等领导出席会议。",
            ("赵红", PART, "红河县第十届人大常委会第五次会议", "出席"),
        ),
        (
            MEETING + "副县长刘萍及各单位负责人列席会议。",
            ("刘萍", PART, "红河县第十届人大常委会第五次会议", "列席"),
        ),
        (
            MEETING + "县人大常委会主任杨林作了重要讲话。",
            ("杨林", PART, "红河县第十届人大常委会第五次会议", "讲话"),
        ),
        (
            MEETING + "县人大常委会主任杨林对一年来的工作作了报告。",
            ("杨林", PART, "红河县第十届人大常委会第五次会议", "作报告"),
        ),
    ],
)
def test_bare_references_to_the_report_event(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


def test_no_event_no_participation(rules_nlp):
    facts = _facts(_result(rules_nlp, "县委副书记王强出席会议并讲话。"))
    assert not any(f[1] == PART for f in facts)


def test_ceremonial_acts_are_no_roles(rules_nlp):
    facts = _facts(
        _result(rules_nlp, MEETING + "县长钱亮等在主席台就座，宣读了表彰决定。")
    )
    assert not any(f[1] == PART and f[0].startswith("钱亮") for f in facts)


# 5. Who holds an event: the body its name begins with, the organizers before 的.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "县委副书记、县长孙浩主持召开县政府常务会议。",
            ("县政府", "organized", "县政府常务会议", ""),
        ),
        (
            "4月1日，县妇联十二届三次执委(扩大)会召开。",
            ("县妇联", "organized", "县妇联十二届三次执委(扩大)会", ""),
        ),
        (
            "由市总工会、市教育局主办，东方集团承办的“东方杯”职工技能大赛隆重开幕。",
            ("市教育局", "organized", "“东方杯”职工技能大赛", ""),
        ),
        (
            "2007年，县妇联开展了“春蕾助学”、“关爱老人”等系列活动。",
            ("县妇联", "organized", "“关爱老人”", ""),
        ),
    ],
)
def test_organizers(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


def test_an_organization_in_a_post_chain_is_no_organizer(rules_nlp):
    facts = _facts(_result(rules_nlp, "县委副书记、县长孙浩主持召开县政府常务会议。"))
    assert ("县委", "organized", "县政府常务会议", "") not in facts


# 6. Adoption at a meeting: approved by the body that holds it.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "县委副书记、县长孙浩主持召开县政府常务会议。会议原则通过了《东山县旅游发展规划》。",
            ("县政府", "approved", "东山县旅游发展规划", ""),
        ),
        (
            "县委副书记、县长孙浩主持召开县政府常务会议。"
            "会议表决通过了关于召开东山县第九届人民代表大会第三次会议的决定。",
            (
                "县政府",
                "approved",
                "关于召开东山县第九届人民代表大会第三次会议的决定",
                "",
            ),
        ),
    ],
)
def test_adoption(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


def test_review_is_no_approval(rules_nlp):
    text = "县委召开常委会议。会议审议了县教育局《关于新建东城小学的请示》。"
    assert not any(f[1] == "approved" for f in _facts(_result(rules_nlp, text)))


# 7. Dates: the year stated around the event or in the date line, never guessed.
@pytest.mark.parametrize(
    ("text", "date"),
    [
        (
            "县总工会召开全委会\n\n2015-06-02\n\n5月30日，县总工会十届二次全委会召开。",
            "2015-05-30",
        ),
        (
            "县政协开幕\n\n2013-03-02\n\n今天上午，县政协九届三次会议隆重开幕。",
            "2013-03-02",
        ),
        ("2016年是开局之年。4月9日，县总工会十届二次全委会召开。", "2016-04-09"),
        ("2007年，县妇联开展了“春蕾助学”、“关爱老人”等系列活动。", "2007"),
    ],
)
def test_held_on(rules_nlp, text, date):
    result = _result(rules_nlp, text)
    assert date in {
        r.object for r in result.relations if r.predicate.value == "held_on"
    }


@pytest.mark.parametrize(
    "text",
    [
        "5月30日，县总工会十届二次全委会召开。\n2014年全县工会工作成效明显。",
        "5月30日，县总工会十届二次全委会召开，表彰2015年度先进集体。",
    ],
)
def test_no_year_stated_no_date(rules_nlp, text):
    result = _result(rules_nlp, text)
    assert not any(r.predicate.value == "held_on" for r in result.relations)


# 8. Venues: 在 VENUE (和 VENUE) 召开.
@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("6月1日，副总经理王明在3楼会议室主持召开首届职工代表大会。", "3楼会议室"),
        ("“读书月”活动在东校区报告厅和西校区会议中心隆重开幕。", "西校区会议中心"),
        ("县总工会十届二次全委会在县委党校报告厅顺利召开。", "县委党校报告厅"),
    ],
)
def test_held_in(rules_nlp, text, place):
    result = _result(rules_nlp, text)
    assert place in {
        r.object for r in result.relations if r.predicate.value == "held_in"
    }


# 9. Names: where a name ends.
@pytest.mark.parametrize(
    ("text", "name", "not_name"),
    [
        (MEETING + "县长钱亮等出席会议。", "钱亮", "钱亮等"),
        (MEETING + "县政协主席张萍列席会议。", "张萍", "张萍列"),
        (MEETING + "省国资委副主任王红宣布大赛开幕。", "王红", "王红宣"),
    ],
)
def test_name_ends(rules_nlp, text, name, not_name):
    people = {n for t, n in _entities(_result(rules_nlp, text)) if t == "PERSON"}
    assert name in people and not_name not in people


# 10. Names with a middle dot, and departments named after their organization.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "县委副书记阿卜杜·热合曼出席会议。",
            ("阿卜杜·热合曼", HOLDS, "县委", "副书记"),
        ),
        (
            "县人大常委会主任买买提·吐尔逊主持会议。",
            ("买买提·吐尔逊", HOLDS, "县人大常委会", "主任"),
        ),
    ],
)
def test_names_with_a_middle_dot(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


@pytest.mark.parametrize(
    ("text", "entity", "present"),
    [
        (
            "全总宣传教育部负责同志介绍了情况。",
            ("ORG", "中华全国总工会宣传教育部"),
            True,
        ),
        (
            "省总工会改革工作领导小组召开会议。",
            ("ORG", "省总工会改革工作领导小组"),
            True,
        ),
        ("要贯彻党中央决策部署。", ("ORG", "党中央决策部"), False),
        ("省总工会各部门负责人参加。", ("ORG", "省总工会各部"), False),
    ],
)
def test_departments(rules_nlp, text, entity, present):
    assert (entity in _entities(_result(rules_nlp, text))) is present


# 11. A session's report: roles as written, on behalf of a body; a body's prefix.
SESSION = (
    "县政协开幕\n\n2013-03-02\n\n今天上午，政协梅山县第九届委员会第三次会议隆重开幕。"
)


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            SESSION + "县政协主席刘建国代表县政协常委会作工作报告。",
            ("刘建国", PART, "政协梅山县第九届委员会第三次会议", "作工作报告"),
        ),
        (
            SESSION + "县政协副主席孙立平作提案工作情况报告。",
            ("孙立平", PART, "政协梅山县第九届委员会第三次会议", "作提案工作情况报告"),
        ),
        (
            SESSION + "县委书记赵明出席会议。",
            ("赵明", HOLDS, "梅山县委", "书记"),
        ),
    ],
)
def test_session_reports(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


def test_a_league_plenum_is_held_by_the_units_committee(rules_nlp):
    text = "3月13日，共青团东河县第十六届三次全委(扩大)会议召开。团县委书记张平作报告。"
    facts = _facts(_result(rules_nlp, text))
    event = "共青团东河县第十六届三次全委(扩大)会议"
    assert ("共青团东河县委", "organized", event, "") in facts
    assert ("张平", HOLDS, "共青团东河县委", "书记") in facts


# 12. Posts given as 职务由X担任 (notices that set up a body).
NOTICE = "决定成立湖南省第三次农业普查领导小组。"


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            NOTICE + "领导小组组长由副省长周强担任。",
            ("周强", HOLDS, "湖南省第三次农业普查领导小组", "组长"),
        ),
        (
            NOTICE
            + "领导小组组长由副省长周强担任，"
            + "副组长由省统计局局长吴波、省农业厅厅长郑华担任。",
            ("郑华", HOLDS, "湖南省第三次农业普查领导小组", "副组长"),
        ),
    ],
)
def test_posts_given_by_you_dan_ren(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


# 13. Lists: names before one link, posts of one body, people with a group.
@pytest.mark.parametrize(
    ("text", "fact"),
    [
        (
            "会议选举产生了青石镇总工会第一届委员会，选举李强、王敏为工会第一届委员会副主席。",
            ("李强", HOLDS, "青石镇总工会第一届委员会", "副主席"),
        ),
        (
            MEETING + "县人大常委会主任杨林主持会议，副主任赵红、钱伟出席会议。",
            ("钱伟", HOLDS, "红河县第十届人大常委会", "副主任"),
        ),
        (
            MEETING + "副县长刘萍、县法院及县检察院相关负责人等列席会议。",
            ("刘萍", PART, "红河县第十届人大常委会第五次会议", "列席"),
        ),
        (
            MEETING + "会上，宣读并通过了《红河县人大常委会2015年工作要点》。",
            (
                "红河县第十届人大常委会",
                "approved",
                "红河县人大常委会2015年工作要点",
                "",
            ),
        ),
    ],
)
def test_lists(rules_nlp, text, fact):
    assert fact in _facts(_result(rules_nlp, text))


def test_a_post_after_an_unknown_body_is_not_inherited(rules_nlp):
    text = MEETING + "县委副书记马林、投资部部长兼团委书记刘宇出席会议。"
    facts = _facts(_result(rules_nlp, text))
    assert not any(f[0] == "刘宇" and f[1] == HOLDS and f[2] == "县委" for f in facts)
