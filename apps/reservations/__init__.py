"""Reservations: guests reserve gifts without an account and manage them by a signed link."""
