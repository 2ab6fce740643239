# Modules imported and drivers loaded the way their services load them.
from __future__ import absolute_import, print_function
import json, os, sys

from setup_nova_dpm_probe.dists import canonical, distributions, group_entries, registered


def imports(request):
    results = []
    for module in request["modules"]:
        # Should the import kill the interpreter, the last line of stderr names it.
        sys.stderr.write("while: import %s\n" % module)
        sys.stderr.flush()
        try:
            __import__(module)
            results.append({"module": module, "file": getattr(sys.modules[module], "__file__", None)})
        except BaseException:
            results.append({"module": module, "error": last_error()})
    return {"imports": results, "loads": [load(driver) for driver in request.get("loads", [])]}


def last_error():
    import traceback
    error = sys.exc_info()[1]
    return traceback.format_exception_only(type(error), error)[-1].strip()


def resolve(target):
    # "module:attr.attr" or "module.attr", imported as the services do.
    if ":" in target:
        module, _sep, attrs = target.partition(":")
    else:
        module, _sep, attrs = target.rpartition(".")
    module = module.strip()
    __import__(module)
    value = sys.modules[module]
    for name in attrs.strip().split("."):
        value = getattr(value, name)
    return module, value


def script_paths(name):
    # Where pip puts console scripts: the scheme's scripts directory (a venv's bin), beside the
    # interpreter, or the user scheme's when site-packages was not writable.
    import site, sysconfig
    places = [sysconfig.get_path("scripts"), os.path.dirname(os.path.abspath(sys.executable))]
    user_base = getattr(site, "USER_BASE", None)
    if user_base:
        places.append(os.path.join(user_base, "bin"))
    return [os.path.join(place, name) for place in places if place]


def load(driver):
    # A driver loaded the way its service loads it, once the service is installed beside it.
    dists = distributions()
    found = dict((key, dists.get(canonical(key))) for key in (driver["distribution"], driver["service"]))
    result = {"distribution": driver["distribution"], "service": driver["service"], "checks": []}
    if found[driver["distribution"]] is None:
        result["status"] = "no-driver"
        return result
    if found[driver["service"]] is None:
        result["status"] = "no-service"
        return result
    result["status"] = "checked"
    for check in driver["checks"]:
        outcome = {"check": check}
        module = check.get("module")  # the module to name should the check raise
        sys.stderr.write("while: load %s\n" % json.dumps(check))
        sys.stderr.flush()
        try:
            if check["kind"] == "class":
                value = resolve(check["module"] + ":" + check["attribute"])[1]
                module = check["base"].partition(":")[0]
                base = resolve(check["base"])[1]
                if not (isinstance(value, type) and issubclass(value, base)):
                    outcome["error"] = "%s.%s is not a subclass of %s" % (check["module"], check["attribute"], check["base"].replace(":", "."))
            elif check["kind"] == "entry-point":
                target = registered(found[driver["distribution"]], check["group"], check["name"])
                if target is None:
                    outcome["error"] = "%s registers no entry point %s in %s" % (driver["distribution"], check["name"], check["group"])
                else:
                    outcome["target"] = target
                    module = target.partition(":")[0].strip()
                    resolve(target)
            elif check["kind"] == "script":
                found_at = [path for path in script_paths(check["name"]) if os.path.isfile(path)]
                if found_at:
                    outcome["path"] = found_at[0]
                else:
                    outcome["error"] = "the script %s is in none of %s" % (check["name"], ", ".join(sorted(set(os.path.dirname(p) for p in script_paths(check["name"])))))
        except BaseException:
            outcome["error"] = last_error()
            outcome["module"] = module
        result["checks"].append(outcome)
    return result


def entry_points(request):
    # {distribution: [names]} of one entry point group, for the named distributions.
    dists = distributions()
    result = {}
    for name in request["distributions"]:
        dist = dists.get(canonical(name))
        if dist is None or not os.path.isdir(dist["info"]):
            continue
        names = [key for key, _target in group_entries(dist, request["group"])]
        if names:
            result[dist["name"]] = names
    return result
