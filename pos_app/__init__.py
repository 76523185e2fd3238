"""Kaha: the front-desk payment app for clinics in the Philippines."""

__version__ = "0.1.0"
APP_NAME = "Kaha"
