"""The GitHub Pages workflow: official actions, the right folder, and a schedule that says what it does."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"


def load() -> dict:
    """Return the workflow, with YAML 1.1's ``on: true`` key put back as "on"."""
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))
    return data


def steps(data: dict) -> list[dict]:
    """Return every step of every job."""
    return [step for job in data["jobs"].values() for step in job["steps"]]


def test_builds_with_digest_and_deploys_with_the_official_actions():
    data = load()
    uses = {step["uses"].split("@")[0]: step for step in steps(data) if "uses" in step}
    assert {"actions/upload-pages-artifact", "actions/deploy-pages", "actions/configure-pages"} <= set(uses)
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "site"
    build = next(step["run"] for step in steps(data) if step.get("name") == "Build")
    assert build.startswith("digest build --base-url") and "steps.pages.outputs.base_url" in build
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["jobs"]["deploy"]["needs"] == "build"


def test_the_schedule_comment_gives_the_same_time_in_tehran():
    text = WORKFLOW.read_text(encoding="utf-8")
    (cron,) = [entry["cron"] for entry in load()["on"]["schedule"]]
    minute, hour = (int(x) for x in cron.split()[:2])
    said = re.search(r"(\d\d):(\d\d) UTC is (\d\d):(\d\d) in Tehran \(UTC\+03:30", text)
    assert said, "the cron needs a comment giving its time in UTC and in Tehran"
    assert (int(said[1]), int(said[2])) == (hour, minute)
    tehran = (hour * 60 + minute + 3 * 60 + 30) % (24 * 60)
    assert (int(said[3]), int(said[4])) == divmod(tehran, 60)
