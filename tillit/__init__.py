"""The ``tillit`` command: the one top-level parser over every layer's sub-commands."""
