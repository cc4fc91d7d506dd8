"""Shared machinery for tracking-based assays: arenas, zone episodes with an entry criterion, sessions."""
