# The action's probe (probe_main.py beside this package). A name no
# distribution uses, so that it never stands in for a module of the job's.
