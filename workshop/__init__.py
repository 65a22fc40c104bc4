"""Course machinery: setup check, exercises, slides, reset, cohort board, chapter records."""
