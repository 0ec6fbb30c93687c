// Reads an .ics file with ical.js and prints what it understood as JSON (for the Python tests).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  const stamp = vevent.getFirstPropertyValue("dtstamp");
  return {
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    status: vevent.getFirstPropertyValue("status"),
    all_day: start.isDate,
    start: start.isDate ? start.toString() : start.toJSDate().toISOString(),
    end: event.endDate.isDate ? event.endDate.toString() : event.endDate.toJSDate().toISOString(),
    tzid: start.isDate ? null : start.zone.tzid,
    utc_offset_seconds: start.isDate ? null : start.utcOffset(),
    dtstamp_utc: stamp.zone === ICAL.Timezone.utcTimezone || stamp.timezone === "Z",
    dtstamp: stamp.toString(),
    alarms: vevent.getAllSubcomponents("valarm").map((alarm) => {
      const trigger = alarm.getFirstPropertyValue("trigger");
      return { action: alarm.getFirstPropertyValue("action"), trigger_seconds: trigger.toSeconds() };
    }),
  };
});
console.log(JSON.stringify({
  method: calendar.getFirstPropertyValue("method"),
  name: calendar.getFirstPropertyValue("x-wr-calname"),
  refresh: calendar.getFirstPropertyValue("refresh-interval")?.toString() ?? null,
  ttl: calendar.getFirstPropertyValue("x-published-ttl"),
  events,
}));
