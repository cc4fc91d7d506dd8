"""Readers, writers and validation shared by every protocol."""
