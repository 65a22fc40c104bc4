"""Workshop tooling: exercise checks, exercise and slide generation, setup check, cohort reset.

Chapters and exercise notebooks import :mod:`lib.workshop.checks`; the scripts
``make_exercises.py``, ``make_slides.py``, ``check_env.py`` and ``reset_workshop.py`` are thin
faces over the other modules.
"""
