"""Calendar files (iCalendar, RFC 5545) for deadlines and meetings."""
