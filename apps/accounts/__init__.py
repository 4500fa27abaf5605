"""Accounts: couples sign up with their email, verify it, log in and manage their login."""
