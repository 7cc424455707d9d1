"""Extraction rules on real sentences: entities, aliases and relations."""

from __future__ import annotations

import pytest

from graph.extract.result import extract
from graph.model import EntityType, Predicate


def _run(nlp, text):
    return extract(nlp(text), "t.txt")


def _entities(result):
    return {(e.type.value, e.name) for e in result.entities}


def _facts(result):
    return {(r.subject, r.predicate.value, r.object, r.role) for r in result.relations}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "全总党组书记、副主席、书记处第一书记李玉赋带领全总党组。",
            ("ORG", "中华全国总工会"),
        ),
        (
            "中铁电气化局第一工程有限公司的巨晓林为全国总工会史上第一位兼职副主席。",
            ("ORG", "中铁电气化局第一工程有限公司"),
        ),
        ("推选北京师范大学党委副书记田辉为全总书记处书记。", ("ORG", "北京师范大学")),
        (
            "《全国总工会改革试点方案》经中央全面深化改革领导小组审议通过。",
            ("POLICY", "全国总工会改革试点方案"),
        ),
        ("北京市总工会先后出台了“1+6”文件。", ("POLICY", "“1+6”文件")),
        ("扎实开展“两学一做”学习教育。", ("EVENT", "“两学一做”学习教育")),
        (
            "省总工会召开十四届六次全委(扩大)会议。",
            ("EVENT", "十四届六次全委(扩大)会议"),
        ),
        ("经验交流会在广西南宁召开。", ("LOCATION", "广西南宁")),
        (
            "首届中国家长节在山东滨州经济技术开发区国际会展中心举办。",
            ("LOCATION", "山东滨州经济技术开发区国际会展中心"),
        ),
        ("江苏省总工会主席 邢春宁", ("PERSON", "邢春宁")),
        ("第十届全民读书节在杭州举行。", ("EVENT", "第十届全民读书节")),
    ],
)
def test_finds_entity(rules_nlp, sentence, expected):
    assert expected in _entities(_run(rules_nlp, sentence))


@pytest.mark.parametrize(
    ("sentence", "generic"),
    [
        ("各级工会要把职工的利益放在首位。", "各级工会"),
        ("会同有关部门开展检查。", "有关部门"),
        ("基层工会是工会的基础。", "基层工会"),
        ("地方工会要主动作为。", "地方工会"),
    ],
)
def test_generic_groups_are_not_orgs(rules_nlp, sentence, generic):
    names = {e.name for e in _run(rules_nlp, sentence).entities}
    assert generic not in names
    assert not any(n.endswith(generic) for n in names)


def test_short_forms_resolve_to_one_entity(rules_nlp):
    text = "全总召开会议。全国总工会部署工作。中华全国总工会发出通知。"
    orgs = [e for e in _run(rules_nlp, text).entities if e.type is EntityType.ORG]
    assert [e.name for e in orgs] == ["中华全国总工会"]
    assert set(orgs[0].aliases) == {"全总", "全国总工会"}


def test_province_short_form_resolves_by_heading(rules_nlp):
    text = "## 辽宁篇\n\n辽宁省工会工作综述。\n\n省总工会制定了职工素质提升计划。"
    names = {e.name for e in _run(rules_nlp, text).entities if e.type is EntityType.ORG}
    assert "辽宁省总工会" in names


@pytest.mark.parametrize(
    ("sentence", "fact"),
    [
        (
            "全总党组书记、副主席、书记处第一书记李玉赋带领全总党组。",
            ("李玉赋", "holds_position", "中华全国总工会", "书记处第一书记"),
        ),
        (
            "全总党组书记、副主席、书记处第一书记李玉赋带领全总党组。",
            ("李玉赋", "holds_position", "中华全国总工会", "党组书记"),
        ),
        (
            "中共浙江省委常委、省总工会主席 张三丰\n",
            ("张三丰", "holds_position", "中共浙江省委", "常委"),
        ),
        (
            "中共浙江省委常委、省总工会主席 张三丰\n",
            ("张三丰", "holds_position", "浙江省总工会", "主席"),
        ),
        (
            "全总十六届四次执委会选举巨晓林为中华全国总工会兼职副主席。",
            ("巨晓林", "holds_position", "中华全国总工会", "兼职副主席"),
        ),
        (
            "省总工会副主席李锦平、董建伟等出席会议。",
            ("董建伟", "holds_position", "浙江省总工会", "副主席"),
        ),
        (
            "10月,国务院印发《关于积极稳妥降低企业杠杆率的意见》。",
            ("国务院", "issued", "关于积极稳妥降低企业杠杆率的意见", ""),
        ),
        (
            "《全国总工会改革试点方案》经中央全面深化改革领导小组审议通过。",
            ("中央全面深化改革领导小组", "approved", "全国总工会改革试点方案", ""),
        ),
        (
            "湖北省总工会在全省职工中深入开展“中国梦·劳动美”主题教育系列活动。",
            ("湖北省总工会", "organized", "“中国梦·劳动美”主题教育系列活动", ""),
        ),
        (
            "省总工会召开十四届六次全委(扩大)会议 王辉忠出席并讲话\n",
            ("王辉忠", "participated_in", "十四届六次全委(扩大)会议", "讲话"),
        ),
        (
            "今年是2016年。10月23日,首届中国家长节在山东滨州经济技术开发区国际会展中心举办。",
            ("首届中国家长节", "held_on", "2016-10-23", ""),
        ),
        (
            "10月23日,首届中国家长节在山东滨州经济技术开发区国际会展中心举办。",
            ("首届中国家长节", "held_in", "山东滨州经济技术开发区国际会展中心", ""),
        ),
    ],
)
def test_finds_relation(rules_nlp, sentence, fact):
    text = "浙江省工会工作。\n" + sentence if "省总工会" in sentence else sentence
    assert fact in _facts(_run(rules_nlp, text))


@pytest.mark.parametrize(
    "sentence",
    [
        "主席强调要加强学习。",  # a post with no name after it
        "有关部门印发了通知。",  # generic subject, no named policy
        "各级工会开展培训。",  # routine activity, no named event
    ],
)
def test_no_relation_without_named_ends(rules_nlp, sentence):
    assert _run(rules_nlp, sentence).relations == ()


def test_repeated_paragraph_does_not_duplicate_facts(rules_nlp):
    para = "国务院印发《降低实体经济企业成本工作方案》。"
    result = _run(rules_nlp, para + "\n" + para)
    issued = [r for r in result.relations if r.predicate is Predicate.ISSUED]
    assert len(issued) == 1
    assert issued[0].start == 0


def test_evidence_offsets_point_into_the_original_text(rules_nlp):
    text = "  据报道，\n\n国务院印发《降低实体经济企业成本工作方案》。后文。"
    result = _run(rules_nlp, text)
    for rel in result.relations:
        assert text[rel.start : rel.end].strip() == rel.evidence
    for entity in result.entities:
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text


def test_sample_corpus_meets_quality_bar(corpus_results):
    from pathlib import Path

    from graph.evaluate import evaluate
    from graph.io import read_results

    gold = Path(__file__).resolve().parents[2] / "data" / "gold"
    rows = evaluate(read_results([gold]), corpus_results)
    assert rows[("entity", "ALL")].f1 >= 0.70
    assert rows[("relation", "ALL")].f1 >= 0.60


def test_evaluator_agrees_with_reference_scorer(corpus_results, tmp_path):
    import importlib.util
    from pathlib import Path

    from graph.evaluate import evaluate
    from graph.io import read_results, write_results

    root = Path(__file__).resolve().parents[2]
    scorer = root.parent / "shared" / "tools" / "kgscore.py"
    if not scorer.exists():
        pytest.skip(f"reference scorer not found at {scorer}")
    spec = importlib.util.spec_from_file_location("kgscore", scorer)
    kgscore = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kgscore)
    write_results(corpus_results, tmp_path)
    gold_dir = root / "data" / "gold"
    total: dict = {}
    for gold_file in sorted(gold_dir.glob("*.json")):
        import json

        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        pred = json.loads((tmp_path / gold_file.name).read_text(encoding="utf-8"))
        for key, counts in kgscore.score_doc(gold, pred).items():
            total[key] = [
                a + b for a, b in zip(total.get(key, [0, 0, 0]), counts, strict=True)
            ]
    ours = evaluate(read_results([gold_dir]), corpus_results)
    for (kind, label), (tp, fp, fn) in total.items():
        row = ours[(kind, label)]
        assert (row.tp, row.fp, row.fn) == (tp, fp, fn), (kind, label)


def test_session_named_without_organizer_joins_full_name(rules_nlp):
    text = (
        "## 广东省总工会召开十三届五次全委会议\n\n"
        "1月20日，广东省总工会十三届五次全委会议在广州召开。"
    )
    events = [e for e in _run(rules_nlp, text).entities if e.type is EntityType.EVENT]
    assert [e.name for e in events] == ["广东省总工会十三届五次全委会议"]
    assert "十三届五次全委会议" in events[0].aliases


def test_partner_joins_the_sentence_subject(rules_nlp):
    text = "全总与国家网信办联合开展“中国梦·大国工匠篇”主题宣传活动。"
    facts = _facts(_run(rules_nlp, text))
    for org in ("中华全国总工会", "国家互联网信息办公室"):
        assert (org, "organized", "“中国梦·大国工匠篇”主题宣传活动", "") in facts


def test_short_title_after_yixia_jiancheng_is_an_alias(rules_nlp):
    text = (
        "国务院办公厅印发《关于进一步做好稳就业工作的意见》（以下简称《意见》）。"
        "《意见》指出。"
    )
    policies = [
        e for e in _run(rules_nlp, text).entities if e.type is EntityType.POLICY
    ]
    assert [(p.name, p.aliases) for p in policies] == [
        ("关于进一步做好稳就业工作的意见", ("意见",))
    ]


def test_partners_listed_after_huitong_join_the_subject(rules_nlp):
    text = "人社部将会同财政部、教育部开展“百日千万网络招聘专项行动”。"
    organizers = {r.subject for r in _run(rules_nlp, text).relations}
    assert organizers == {"人力资源和社会保障部", "财政部", "教育部"}


@pytest.mark.parametrize("generic", ["新闻发布会", "座谈会", "工作会议"])
def test_bare_meeting_words_are_not_events(rules_nlp, generic):
    text = f"国务院新闻办公室举行{generic}。"
    assert all(e.type is not EntityType.EVENT for e in _run(rules_nlp, text).entities)


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("中国书法家协会", True),
        ("青少年发展基金会", True),
        ("中国新闻网", True),
        ("浙江日报", True),
        ("社区志愿者联合会", True),
        ("互联网", False),  # a common noun: one-character suffix needs a longer stem
        ("各级协会", False),  # group word
        ("推进工会服务网", False),  # a verb inside: the span ran over a phrase
        ("总工会职工网", False),  # another suffix inside: two names run together
        ("“红船”网", False),  # punctuation
    ],
)
def test_headless_org_names_from_the_model(name, accepted):
    from graph.extract.finders import is_headless_org_name
    from graph.extract.lexicon import load_lexicon
    from graph.settings import Settings

    assert is_headless_org_name(name, load_lexicon(Settings().resources)) is accepted


def test_model_raises_person_and_org_scores(corpus_results):
    """With the NER model, PERSON and ORG F1 on the sample gold go up, totals hold."""
    pytest.importorskip("onnxruntime")
    from pathlib import Path

    from graph.evaluate import evaluate
    from graph.io import read_results
    from graph.pipeline import extract_paths
    from graph.settings import Settings

    root = Path(__file__).resolve().parents[2]
    gold = read_results([root / "data" / "gold"])
    with_model, problems = extract_paths([root / "data" / "corpus"], Settings())
    assert not problems
    before, after = evaluate(gold, corpus_results), evaluate(gold, with_model)
    for label in ("PERSON", "ORG"):
        assert after[("entity", label)].f1 > before[("entity", label)].f1, label
    for kind in ("entity", "relation"):
        assert after[(kind, "ALL")].f1 >= before[(kind, "ALL")].f1, kind


@pytest.fixture(scope="module")
def ner_nlp():
    """Return the extraction pipeline with the shipped NER model."""
    pytest.importorskip("onnxruntime")
    from graph.extract.nlp import make_nlp
    from graph.settings import Settings

    return make_nlp(Settings())


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # names run together: the model splits them, a rule does not cut 林等
        (
            "参加座谈的有张德江吴邦国贾庆林等同志。",
            {("张德江", "PERSON"), ("吴邦国", "PERSON"), ("贾庆林", "PERSON")},
        ),
        # the body that holds a meeting is an ORG of its own
        (
            "国务院总理李克强主持召开国家科技领导小组第一次全体会议。",
            {("国家科技领导小组", "ORG"), ("国家科技领导小组第一次全体会议", "EVENT")},
        ),
        # a media name without a head the rules know; 中国 is not a place here
        ("据中国新闻网报道，会议在北京举行。", {("中国新闻网", "ORG")}),
    ],
)
def test_model_spans_in_the_pipeline(ner_nlp, sentence, expected):
    found = {(e.name, e.type.value) for e in ner_nlp(sentence)._.kg_entities}
    assert expected <= found
    assert ("中国", "LOCATION") not in found
    assert not any(name.endswith("等") for name, _ in found)
