"""Which language the learner reads, and the fixed frames of what msalab shows, in Korean.

`current()` is "ko" or "en":

1. the environment variable MSALAB_LANG, when set ("ko", "ko_KR", ... are Korean; anything else is English);
2. else, inside a Jupyter kernel, the notebook's path: jupyter_server puts it in the kernel's environment as
   JPY_SESSION_NAME, and a notebook in a folder named "ko" (chapters/ko/05-gateway.ipynb) is a Korean edition;
3. else English.

The Korean edition's code cells are the English ones byte for byte, so the same `msalab.hint(...)`,
`msalab.you_are_here(...)`, `msalab.check(...)` and `msalab.progress()` run in both; they ask `current()` and
take their frame strings from KO below, the one place the Korean strings of the runtime live. Check titles come
from each lab's checks.ko.toml (check_titles.py) and what a check saw from its messages.ko.toml
(check_messages.py); the plots stay English.
"""

from __future__ import annotations

import os
from pathlib import PurePosixPath

LANG_VARIABLE = "MSALAB_LANG"
NOTEBOOK_VARIABLE = "JPY_SESSION_NAME"  # set by jupyter_server (SessionManager.get_kernel_env) for each kernel


def current() -> str:
    """'ko' or 'en' (see the module's docstring for the order of the rules)."""
    chosen = os.environ.get(LANG_VARIABLE, "").strip().lower()
    if chosen:
        return "ko" if chosen.split("_")[0].split("-")[0].split(".")[0] == "ko" else "en"
    notebook = os.environ.get(NOTEBOOK_VARIABLE, "").strip()
    if notebook:
        path = PurePosixPath(notebook.replace("\\", "/"))
        if path.parent.name == "ko":
            return "ko"
    return "en"


def korean() -> bool:
    return current() == "ko"


# Every Korean string the runtime shows, by key; the English original sits where it is used, next to the key.
KO: dict[str, str] = {
    # hints.py
    "hint.heading": "{exercise} 힌트 {tier}/{total}",
    "hint.last": " (마지막 힌트)",
    "hint.fallback": "이 힌트는 아직 한국어 번역이 없거나 영어 원문이 바뀌어서, 영어 원문으로 보여 드려요.",
    # coursemap.py
    "map.here": "현재 위치: {last}장 중 {number}장({area}), {time}. 다음: {next}.",
    "map.end": "과정의 끝",
    "map.label": "{number}장 · {title}",
    "time.about": "약 {amount}",
    "time.hours": "{hours}시간",
    "time.minutes": "{minutes}분",
    "area.welcome": "환영",
    "area.inner": "내부 아키텍처",
    "area.gateway": "외부 게이트웨이",
    "area.mesh": "서비스 메시",
    "area.containers": "컨테이너 관리",
    "area.backing": "백킹 서비스",
    "area.telemetry": "텔레메트리",
    "area.cicd": "CI/CD",
    # chapter titles (course.toml's), as the Korean editions' first headings name them
    "title.00-welcome": "환영합니다: 첫 번째 실습 환경",
    "title.01-defining-services": "서비스 정의하기",
    "title.02-data-and-consistency": "데이터와 일관성",
    "title.03-api-design": "API 설계",
    "title.04-layering": "계층화: 포트와 어댑터",
    "title.05-gateway": "외부 게이트웨이",
    "title.06-service-mesh": "서비스 메시",
    "title.07-container-management": "컨테이너 관리",
    "title.08-backing-services": "백킹 서비스",
    "title.09-saga": "사가",
    "title.10-telemetry": "텔레메트리",
    "title.11-ci-cd": "CI/CD",
    # progresstable.py
    "progress.chapter": "장",
    "progress.exercise": "연습 문제",
    "progress.verdict": "마지막 결과",
    "progress.points": "점수",
    "progress.when": "시각",
    "progress.passed": "통과",
    "progress.failed": "실패",
    "progress.unchecked": "아직 확인 안 함",
    "progress.summary": "연습 문제 {total}개 중 {passed}개가 공개 검사를 통과했어요.",
    # results.py
    "report.ok": "통과",
    "report.fail": "실패",
    "report.passed": "통과",
    "report.failed": "실패",
    "report.check": "검사",
    "report.points": "점수",
    "report.saw": "검사 결과",
    "report.total": "합계",
    "report.summary": "{max_points:g}점 중 {points:g}점",
    # answers.py: what an answer cell prints when it runs ({error} stays English: what the engine or service said)
    "answer.kept": "{exercise} 답안을 저장했어요. msalab.check('{exercise}')로 확인하세요.",
    "answer.no_lab": "{exercise} 답안을 저장했어요. 실습 환경을 시작한 뒤(msalab.up('{lab}')) 이 셀을 다시 실행하세요.",
    "answer.not_ready": "{exercise} 답안을 배포했지만 {service}가 다시 시작되지 않았어요: {error}",
    "answer.invalid": (
        "{exercise} 답안을 저장했지만 올바른 파이썬 코드가 아니라서 배포하지 않았어요({error}). "
        "고친 뒤 이 셀을 다시 실행하세요."
    ),
    "answer.not_deployed": "{exercise} 답안을 저장했지만 배포하지는 못했어요: {error}",
    "answer.deployed": (
        "{exercise} 답안을 {service}에 배포했고, {seconds:.1f}초 만에 다시 준비됐어요. "
        "msalab.check('{exercise}')로 확인하세요."
    ),
    # grade_output.py: the feedback a grader hands back (each problem and check message is translated on its own)
    "feedback.title": "# {submission} 피드백",
    "feedback.total": "챕터 {chapter}: **{max_total:g}점 중 {total:g}점**.",
    "feedback.problems": "## 채점을 가로막은 것",
    "feedback.exercise": "## {exercise}: {max:g}점 중 {score:g}점",
    "feedback.no_check": "- 이 연습 문제는 어떤 검사도 실행할 수 없었어요.",
    "feedback.passed": "통과",
    "feedback.failed": "실패",
    "feedback.hidden": " (채점 전용)",
    # checking.py
    "check.no_lab": "실습 환경 '{lab}'이 여기서 실행 중이 아니에요. msalab.up('{lab}')으로 시작하세요.",
    "check.under_grading": (
        "이 노트북은 채점 중이에요. 노트북이 끝난 뒤, 여러분의 답안으로 새로 띄운 실습 환경에서 모든 연습 문제의 "
        "검사가 실행돼요."
    ),
}


def say(key: str, english: str, **fields: object) -> str:
    """`english` filled with `fields`, or in Korean (KO[key], same fields) when the learner reads Korean."""
    template = KO.get(key, english) if korean() else english
    return template.format(**fields)
