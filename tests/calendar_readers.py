"""Two readers of iCalendar that share no code with the `icalendar` package that writes our files:
vobject (Python) and Mozilla's ical.js (JavaScript, through Node). Both give the same plain dicts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import vobject

JS = Path(__file__).resolve().parent / "js"


def icaljs_available() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (JS / "node_modules" / "ical.js").exists():
        return "ical.js is not installed (make install runs npm ci in tests/js)"
    return None


def read_with_icaljs(data: bytes, tmp_path: Path) -> dict:
    problem = icaljs_available()
    if problem:
        if os.environ.get("FINSAM_TEST_REQUIRE_ICALJS") == "1":
            pytest.fail(f"ical.js is required (FINSAM_TEST_REQUIRE_ICALJS=1): {problem}")
        pytest.skip(f"ical.js skipped: {problem}")
    path = tmp_path / f"cal-{len(list(tmp_path.glob('cal-*.ics')))}.ics"
    path.write_bytes(data)
    result = subprocess.run(["node", str(JS / "parse.mjs"), str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    events = {}
    for e in parsed["events"]:
        if e["all_day"]:
            start = date.fromisoformat(e["start"])
        else:
            start = datetime.fromisoformat(e["start"].replace("Z", "+00:00"))
        events[e["uid"]] = {**e, "start": start}
    return {**parsed, "events": events}


def read_with_vobject(data: bytes) -> dict:
    calendar = vobject.readOne(data.decode("utf-8"))
    calendar.validate()  # raises on what vobject's behaviours find invalid
    events = {}
    for vevent in calendar.vevent_list:
        start = vevent.dtstart.value
        stamp = vevent.dtstamp.value
        assert isinstance(stamp, datetime) and stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0
        alarms = []
        for valarm in getattr(vevent, "valarm_list", []):
            alarms.append({"action": valarm.action.value, "trigger_seconds": int(valarm.trigger.value.total_seconds())})
        events[vevent.uid.value] = {
            "uid": vevent.uid.value,
            "sequence": int(vevent.sequence.value),
            "summary": vevent.summary.value,
            "status": vevent.status.value,
            "all_day": not isinstance(start, datetime),
            "start": start if not isinstance(start, datetime) else start.astimezone(timezone.utc),
            "tzid": None if not isinstance(start, datetime) else str(start.tzinfo),
            "floating": isinstance(start, datetime) and start.tzinfo is None,
            "alarms": alarms,
        }
    method = calendar.contents.get("method")
    return {"method": method[0].value if method else None, "name": calendar.x_wr_calname.value, "events": events}


def read_both(data: bytes, tmp_path: Path) -> tuple[dict, dict]:
    return read_with_vobject(data), read_with_icaljs(data, tmp_path)
