"""`python answer_runner.py ANSWER FUNC ARGS_JSON`: call one function of a module answer, print its result.

Checks start it through CheckContext.run_answer, in a fresh process where learner code runs (this machine for a
learner, the grading sandbox for a grader). It imports nothing of msalab: the sandbox needs only Python.
"""

import importlib.util
import json
import sys

path, func, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
spec = importlib.util.spec_from_file_location("answer", path)
assert spec is not None and spec.loader is not None
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
# No function named: the check only wanted to know that the answer imports.
result = getattr(module, func)(*args) if func else None
sys.stdout.write("\n@@msalab-result@@" + json.dumps(result))
