"""The main job (``python -m compliance run``): every stage in order, into one sealed run directory.

``stages`` plans the stage CLIs and their flags; ``runner`` runs them as
subprocesses with a progress display; ``cli`` registers the subcommand.
"""
