"""finsam: the deadline and workflow engine of a samordningsförbund.

This package is the core: domain model, rules, lifecycle and services. It imports
neither Prefect nor SMTP; flows/ and tasks/ orchestrate it.
"""

TIMEZONE = "Europe/Stockholm"
