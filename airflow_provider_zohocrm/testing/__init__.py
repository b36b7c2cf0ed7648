"""Test helpers for the Zoho CRM provider: a local Zoho CRM emulator and its pytest plugin.

Nothing in the provider's runtime code imports this package.
"""
