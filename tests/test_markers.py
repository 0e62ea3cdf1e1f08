"""The automatic marks (support/markers.py): real tests that drive LibreOffice or start processes get them.

The expected marks are read off the tests' code by hand: each named test below calls, directly, through a
helper of its module or through a fixture, what its mark says.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import test_hardening
import test_spec
import test_template
import test_workbook_files
import test_xlsx_cells
from support.markers import HELPER_MODULES, reaches

ROOT = Path(__file__).resolve().parent.parent
LO = HELPER_MODULES["support.libreoffice"]
PROC = HELPER_MODULES["subprocess"]


def test_a_program_named_in_a_command_line_and_the_subprocess_module() -> None:
    """``soffice`` in an argument list, started with subprocess.run."""
    assert reaches(test_workbook_files.test_libreoffice_saved_workbook_reads_the_same) == {LO, PROC}
    assert reaches(test_xlsx_cells.libreoffice_convert) == {LO, PROC}


def test_a_helper_of_the_module_that_calls_the_libreoffice_helpers() -> None:
    assert reaches(test_template._mark_pixels) == {LO}
    assert reaches(test_template.test_a_mark_turns_its_cell_red_through_the_defined_name) == {LO}


def test_a_hypothesis_test_is_read_through_its_wrapper() -> None:
    """The command line of support.fuzzing, called from inside a @given test."""
    assert reaches(test_hardening.test_the_command_line_on_fuzzed_workbooks) == {PROC}


def test_tests_that_reach_nothing_external_are_not_marked() -> None:
    assert reaches(test_spec.test_cell_counts_match_the_official_tables) == frozenset()
    assert reaches(test_template.test_ribbon_calls_only_fixed_entry_points) == frozenset()
    assert reaches(test_xlsx_cells.test_same_input_same_bytes) == frozenset()


def test_the_conftest_marks_tests_through_their_fixtures() -> None:
    """A real collection: ``lo_view`` (test_template) inspects the template through LibreOffice."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                          "-m", LO, "tests/test_template.py"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    marked = {line.split("::", 1)[1] for line in out.stdout.splitlines() if line.startswith("tests/")}
    assert {"test_libreoffice_sees_every_vba_module", "test_print_setup_is_a4_fit_to_width"} <= marked, marked
    assert "test_ribbon_calls_only_fixed_entry_points" not in marked, marked
