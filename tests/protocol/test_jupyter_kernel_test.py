"""The community conformance suite, jupyter_kernel_test 0.7.0, against cudacell.
Each skip says why."""
import unittest

import jupyter_kernel_test as jkt

from kernel_harness import KERNEL_NAME, require_kernel, sanitizer_reports


class _Checked:
    """Start via the harness's kernelspec; check sanitizer reports at the end."""

    @classmethod
    def setUpClass(cls):
        require_kernel()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        reports = sanitizer_reports()
        assert not reports, "sanitizer reports:\n" + "\n".join(reports)


class CudacellKernelTests(_Checked, jkt.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "c"
    file_extension = ".c"

    code_hello_world = 'printf("hello, world\\n");'
    code_stderr = 'fprintf(stderr, "to stderr\\n");'

    completion_samples = [
        {"text": "whi", "matches": {"while"}},
    ]
    complete_code_samples = ["int x = 1;", 'printf("hi\\n");', "!echo hi", "%pwd"]
    incomplete_code_samples = ["int f() {", '"abc', "/* x", "%%bash\necho"]
    invalid_code_samples = []

    code_generate_error = "int x = ;"
    code_inspect_sample = "printf"

    # History (tail, range, search) is exercised by the jupyter_kernel_test
    # suite only through code_execute_result; test_inspect_history.py covers it.
    supported_history_operations = ("tail", "range")
    code_history_pattern = ""

    @unittest.skip("cells produce no execute_result yet (a later issue adds values)")
    def test_execute_result(self):
        pass

    @unittest.skip("no display_data from C cells yet (a later issue adds rich output)")
    def test_display_data(self):
        pass

    @unittest.skip("no pager payloads: cudacell shows help through inspect, not %page")
    def test_pager(self):
        pass

    @unittest.skip("no clear_output from C cells yet (a later issue adds it)")
    def test_clear_output(self):
        pass

    @unittest.skip("jupyter_kernel_test drives history through code_execute_result, "
                   "which cudacell has not; history is tested in test_inspect_history.py")
    def test_history(self):
        pass


class CudacellIopubWelcome(_Checked, jkt.IopubWelcomeTests):
    kernel_name = KERNEL_NAME
    support_iopub_welcome = True
