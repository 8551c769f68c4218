"""The default indicator system (2021), in the spirit of the civil-affairs assessment of social
organisations and the 2012 national volunteer-work assessment (A = 100%, B = 66%, C = 33%).

Every figure here is data: the national level copies and edits it as a new version. Computed
indicators name the data sources the apps register (core.indicators); where an app that will
provide a figure is not installed yet (trainings, plans), the indicator is filled by hand.
"""

from __future__ import annotations

DEFAULT_CODE = "default-2021"

#: (code, name, [indicator, …]); an indicator is a dict of Indicator fields.
DEFAULT_DIMENSIONS = [
    (
        "organisation",
        "组织建设",
        [
            dict(
                code="registered",
                name="依法登记注册",
                kind="computed",
                source="ledger.registered",
                rule="pass",
                params={"min": 1},
                weight=8,
                description="在民政部门登记注册，取得统一社会信用代码（取自协会台账）。",
            ),
            dict(
                code="charter",
                name="章程与按期换届",
                kind="manual",
                rule="abc",
                weight=6,
                evidence_required=True,
                description="有章程，按章程召开会员代表大会、按期换届。A 按期换届；B 已召开但未按期；C 仅有章程。",
            ),
            dict(
                code="league",
                name="团组织与党建工作",
                kind="manual",
                rule="abc",
                weight=6,
                description="协会团组织、党的工作覆盖情况。",
            ),
        ],
    ),
    (
        "governance",
        "内部治理与规范化",
        [
            dict(
                code="checklist",
                name="规范化建设事项核验",
                kind="computed",
                source="ledger.checklist_rate",
                rule="linear",
                params={"low": 0, "high": 100},
                weight=14,
                description="规范化建设清单中已由上级核验的必备事项比例（取自规范化建设核验）。",
            ),
            dict(
                code="standardized",
                name="规范化建设达标",
                kind="computed",
                source="ledger.standardized",
                rule="pass",
                params={"min": 1},
                weight=6,
                description="截止日期当天规范化建设达标（与覆盖率统计口径一致）。",
            ),
        ],
    ),
    (
        "teams",
        "队伍与会员",
        [
            dict(
                code="township-teams",
                name="乡镇（街道）建队覆盖率",
                kind="computed",
                source="teams.township_rate",
                rule="linear",
                params={"low": 0, "high": 100},
                weight=10,
                description="辖区乡镇（街道）中已建立基层志愿服务队的比例（取自基层队伍）。",
            ),
            dict(
                code="teams",
                name="基层队伍数量",
                kind="computed",
                source="teams.live_teams",
                rule="thresholds",
                params={"steps": [[1, 40], [5, 70], [10, 100]]},
                weight=4,
                description="在册基层队伍：1 支得 40%，5 支 70%，10 支及以上满分。",
            ),
            dict(
                code="group-members",
                name="吸纳团体会员",
                kind="computed",
                source="ledger.group_members",
                rule="thresholds",
                params={"steps": [[1, 40], [3, 70], [5, 100]]},
                weight=6,
                description="在册团体会员：1 个得 40%，3 个 70%，5 个及以上满分。",
            ),
        ],
    ),
    (
        "projects",
        "项目与活动",
        [
            dict(
                code="projects",
                name="品牌项目落地",
                kind="manual",
                rule="abc",
                weight=10,
                evidence_required=True,
                description="关爱行动、阳光行动、金晖行动、社区行动等品牌项目在本县落地开展情况。",
            ),
            dict(
                code="activities",
                name="年度志愿服务活动",
                kind="manual",
                rule="thresholds",
                params={"steps": [[4, 40], [12, 70], [24, 100]]},
                weight=5,
                max_value=10000,
                description="全年组织开展的志愿服务活动场次：4 场得 40%，12 场 70%，24 场及以上满分。",
            ),
        ],
    ),
    (
        "training",
        "培训",
        [
            dict(
                code="leaders-trained",
                name="负责人参加上级培训",
                kind="manual",
                rule="abc",
                weight=10,
                evidence_required=True,
                description="协会负责人当年参加省、市级协会组织的培训（培训模块上线后改为平台计算）。",
            ),
        ],
    ),
    (
        "impact",
        "社会影响",
        [
            dict(
                code="publicity",
                name="宣传报道",
                kind="manual",
                rule="abc",
                weight=5,
                description="市级以上媒体对协会工作的报道。",
            ),
            dict(
                code="honours",
                name="表彰与荣誉",
                kind="manual",
                rule="abc",
                weight=5,
                description="协会及其志愿者、项目获得的县级以上表彰。",
            ),
        ],
    ),
    (
        "digital",
        "信息化",
        [
            dict(
                code="platform",
                name="注册与服务记录上平台",
                kind="manual",
                rule="abc",
                weight=5,
                description="志愿者注册、服务时长记录依托志愿中国、i志愿等平台。",
            ),
        ],
    ),
]

DEFAULT_GATES = [
    dict(
        code="active-all-year",
        name="全年正常活动",
        kind="gate",
        source="ledger.active_all_year",
        rule="pass",
        params={"min": 1},
        description="评估年度内全年处于正常活动状态（未暂停、非年内新成立）。",
    ),
    dict(
        code="no-violation",
        name="无违规违纪情况",
        kind="gate",
        rule="pass",
        params={"min": 1},
        description="评估年度内无违规违纪、无未整改的投诉（由县级填报，1 为无，0 为有）。",
    ),
]
