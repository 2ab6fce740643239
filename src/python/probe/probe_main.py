# The one Python program setup-nova-dpm runs in an interpreter it does not know
# (src/python/probe.ts starts it as `python -E -s -B probe_main.py <mode> <nonce>
# [argument]`). It and its package must run unchanged on 2.7, 3.5 and every
# later version: no f-strings, no importlib.metadata, no `nonlocal`, no
# keyword-only arguments.
from __future__ import absolute_import, print_function
import json, os, sys

from setup_nova_dpm_probe import closure, dists, facts, loading

# Python put this file's folder first on sys.path. Out again, now that the
# package is in: the job's modules and distributions are then found as the
# interpreter alone finds them.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if not entry or os.path.abspath(entry) != HERE]


def answer(value):
    out = sys.__stdout__
    out.write("\nsetup-nova-dpm-probe:" + sys.argv[2] + "\n" + json.dumps(value) + "\n")
    out.flush()
    # A module imported by "imports" may leave threads running; the answer is out.
    os._exit(0)


mode = sys.argv[1]
if mode == "facts":
    answer(facts.facts())
elif mode == "installed":
    answer(dists.listing(dists.distributions()))
elif mode == "verify":
    answer(closure.verify(json.loads(sys.argv[3])))
elif mode == "imports":
    request = json.loads(sys.argv[3])
    result = loading.imports(request)
    # After the imports, which must meet a fresh interpreter; what the facts
    # read (paths, versions, what is importable) no import changes.
    if request.get("facts"):
        result["facts"] = facts.facts()
    answer(result)
elif mode == "entry-points":
    answer(loading.entry_points(json.loads(sys.argv[3])))
sys.exit("unknown probe mode " + mode)
