"""Wagtail admin screens for coordinators and administrators (see booking/wagtail_hooks.py)."""
