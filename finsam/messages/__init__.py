"""E-mail messages: Swedish formatting, Jinja2 rendering and RFC 5322 composition (no sending here)."""
