# The one Python program setup-nova-dpm runs in an interpreter it does not know
# (src/python/probe.ts starts it). It must run unchanged on 2.7, 3.5 and every
# later version: no f-strings, no importlib.metadata, no `nonlocal`, no
# keyword-only arguments. Distributions are read from what every version
# writes, the dist-info and egg-info directories on sys.path; requirement
# markers are evaluated with the `packaging` that pip vendors, from pip 9
# (2.7) to pip 24 (3.13).
from __future__ import print_function
import io, json, os, re, sys


def answer(value):
    out = sys.__stdout__
    out.write("\nsetup-nova-dpm-probe:" + sys.argv[2] + "\n" + json.dumps(value) + "\n")
    out.flush()
    # A module imported by "imports" may leave threads running; the answer is out.
    os._exit(0)


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def found(module):
    try:
        import importlib.util
        find_spec = importlib.util.find_spec
    except ImportError:
        find_spec = None
    try:
        if find_spec is not None:
            return find_spec(module) is not None
        import imp
        imp.find_module(module)
        return True
    except Exception:
        return False


def read_headers(path):
    # RFC 822 headers up to the first empty line; the description may be long.
    fields = {}
    last = None
    try:
        handle = io.open(path, encoding="utf-8", errors="replace")
    except (IOError, OSError):
        return None
    with handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line:
                break
            if line[0] in " \t":
                if last is not None:
                    fields[last][-1] += "\n" + line.strip()
                continue
            key, sep, value = line.partition(":")
            if not sep:
                continue
            last = key.strip().lower()
            fields.setdefault(last, []).append(value.strip())
    return fields


def read_text(path):
    try:
        with io.open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def distribution(info):
    kind = "dist-info" if info.lower().endswith(".dist-info") else "egg-info"
    if kind == "dist-info":
        headers = read_headers(os.path.join(info, "METADATA"))
    elif os.path.isdir(info):
        headers = read_headers(os.path.join(info, "PKG-INFO"))
    else:
        # distutils writes an egg-info that is itself the PKG-INFO file.
        headers = read_headers(info)
    if not headers or not headers.get("name") or not headers.get("version"):
        return None
    return {"name": headers["name"][0], "version": headers["version"][0], "kind": kind, "info": info, "headers": headers}


def distributions():
    # Like the import system: the first on sys.path wins.
    found_dists = {}
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        infos = []
        if entry.lower().endswith(".egg") and os.path.isdir(os.path.join(entry, "EGG-INFO")):
            infos.append(os.path.join(entry, "EGG-INFO"))
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for name in names:
            low = name.lower()
            if low.endswith(".dist-info") or low.endswith(".egg-info"):
                infos.append(os.path.join(entry, name))
        for info in infos:
            dist = distribution(info)
            if dist is not None:
                found_dists.setdefault(canonical(dist["name"]), dist)
    return found_dists


def requirements(dist):
    # (requirement, extra or None, section marker or None); dist-info keeps markers inside the requirement.
    if dist["kind"] == "dist-info":
        return [(text, None, None) for text in dist["headers"].get("requires-dist", [])]
    text = read_text(os.path.join(dist["info"], "requires.txt")) if os.path.isdir(dist["info"]) else None
    result = []
    extra = marker = None
    for line in (text or "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            extra = extra.strip() or None
            marker = marker.strip() or None
            continue
        result.append((line, extra, marker))
    return result


def load_requirement_tools():
    try:
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.markers import Marker
        return Requirement, Marker
    except Exception:
        pass
    try:
        from packaging.requirements import Requirement
        from packaging.markers import Marker
        return Requirement, Marker
    except Exception:
        pass
    try:
        import pkg_resources

        def marker(text):
            return pkg_resources.Requirement.parse("x; " + text).marker

        return pkg_resources.Requirement.parse, marker
    except Exception:
        return None


LOADED_TOOLS = []


def requirement_tools():
    # Loaded once and only when a requirement is read: the packaging of pips before 24.1 brings
    # pyparsing, about 0.1 s of imports, which an environment without the packages never needs.
    if not LOADED_TOOLS:
        LOADED_TOOLS.append(load_requirement_tools())
    return LOADED_TOOLS[0]


def applies(marker, extra):
    if marker is None:
        return True
    try:
        return bool(marker.evaluate({"extra": extra or ""}))
    except Exception:
        return False


def declared_extras(dist, needs):
    # canonical name -> the extra as the distribution spells it. Like pip, an extra the distribution
    # does not declare (Provides-Extra, or a requires.txt section) adds nothing.
    if dist["kind"] == "dist-info":
        names = dist["headers"].get("provides-extra", [])
    else:
        names = [extra for _, extra, _ in needs if extra]
    return dict((canonical(name), name) for name in names)


def closure(dists, roots, problems):
    wanted = {}
    order = []
    queue = [(key, ()) for key in roots]
    while queue:
        key, asked = queue.pop(0)
        dist = dists[key]
        needs = requirements(dist)
        declared = declared_extras(dist, needs)
        extras = set(declared[canonical(e)] for e in asked if canonical(e) in declared)
        if key in wanted and extras <= wanted[key]:
            continue
        if key not in wanted:
            wanted[key] = set()
            order.append(key)
        wanted[key] |= extras
        tools = requirement_tools() if needs else None
        if needs and tools is None:
            add(problems, "the dependencies of %s %s cannot be checked: neither pip nor setuptools is importable" % (dist["name"], dist["version"]))
            continue
        for text, section_extra, section_marker in needs:
            if section_extra and section_extra not in wanted[key]:
                continue
            try:
                req = tools[0](text)
                marker = tools[1](section_marker) if section_marker else req.marker
            except Exception:
                continue
            active = [section_extra] if section_extra else [""] + sorted(wanted[key])
            if not any(applies(marker, extra) for extra in active):
                continue
            name = getattr(req, "name", None) or req.project_name
            shown = name + ("[%s]" % ",".join(sorted(req.extras)) if req.extras else "") + str(req.specifier)
            target = dists.get(canonical(name))
            if target is None:
                add(problems, "%s required by %s %s is not installed" % (shown, dist["name"], dist["version"]))
                continue
            if str(req.specifier):
                try:
                    ok = req.specifier.contains(target["version"], prereleases=True)
                except Exception:
                    ok = True
                if not ok:
                    add(problems, "%s %s does not satisfy %s required by %s %s" % (target["name"], target["version"], shown, dist["name"], dist["version"]))
            queue.append((canonical(name), tuple(req.extras)))
    return order


def add(problems, problem):
    # A distribution is visited again when a later requirement asks for more of its extras.
    if problem not in problems:
        problems.append(problem)


def record_of(dist):
    info = dist["info"]
    if dist["kind"] == "dist-info":
        # Only an installer that follows the wheel spec writes INSTALLER; Debian rewrites its packages' RECORDs.
        record = os.path.join(info, "RECORD")
        installer = (read_text(os.path.join(info, "INSTALLER")) or "").strip()
        if installer and os.path.isfile(record):
            return {"file": record, "base": os.path.dirname(info), "hashed": True}
    elif os.path.isfile(os.path.join(info, "installed-files.txt")):
        return {"file": os.path.join(info, "installed-files.txt"), "base": info, "hashed": False}
    return None


def verify(request):
    dists = distributions()
    problems = []
    roots = [canonical(name) for name in request["names"] if canonical(name) in dists]
    order = closure(dists, roots, problems)
    members = []
    for key in order:
        dist = dists[key]
        members.append({"name": dist["name"], "version": dist["version"], "record": record_of(dist)})
    versions = {}
    for name in request["names"]:
        dist = dists.get(canonical(name))
        if dist is not None:
            versions[name] = dist["version"]
    result = {"versions": versions, "problems": problems, "members": members, "installed": listing(dists)}
    if request.get("constraints"):
        result["unmet"] = unmet_constraints(dists, order, request["constraints"])
    return result


# name===version: every line of openstack/requirements' files has this shape.
PIN = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*===\s*[^\s;,)]+$")


def unmet_constraints(dists, order, path):
    # The closure's members that pip, given this constraints file, would change;
    # a line this cannot read counts as unmet, so pip decides. A release's file
    # pins some 500 projects and the closure holds a few dozen: a pin of any
    # other project is only checked for a marker pip could not read, each
    # spelling once, instead of being parsed whole (0.15 s for queens').
    members = set(order)
    if not members:
        return []
    tools = requirement_tools()
    text = read_text(path)
    if text is None or tools is None:
        return ["the constraints file could not be read"]
    readable_markers = {}
    unmet = []
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        # As pip reads a requirements line: the marker is whatever follows the first ";".
        spec, sep, marker_text = line.partition(";")
        spec, marker_text = spec.strip(), marker_text.strip()
        pin = PIN.match(spec)
        if pin and canonical(pin.group(1)) not in members:
            if sep and not readable_marker(tools, readable_markers, marker_text):
                unmet.append(line)
            continue
        try:
            req = tools[0](spec)
            marker = tools[1](marker_text) if sep else req.marker
        except Exception:
            unmet.append(line)
            continue
        name = getattr(req, "name", None) or req.project_name
        key = canonical(name)
        if key not in members or not str(req.specifier) or not applies(marker, None):
            continue
        try:
            ok = req.specifier.contains(dists[key]["version"], prereleases=True)
        except Exception:
            ok = False
        if not ok:
            unmet.append("%s %s (constraint %s)" % (dists[key]["name"], dists[key]["version"], line))
    return unmet


def readable_marker(tools, seen, text):
    if text not in seen:
        try:
            tools[1](text)
            seen[text] = True
        except Exception:
            seen[text] = False
    return seen[text]


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


def group_entries(dist, group):
    # [(name, target)] of one group in a distribution's entry_points.txt.
    text = read_text(os.path.join(dist["info"], "entry_points.txt")) or ""
    section = None
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            key, _sep, target = line.partition("=")
            entries.append((key.strip(), target.strip()))
    return entries


def registered(dist, group, name):
    for key, target in group_entries(dist, group):
        if key == name:
            return target.split("[")[0].strip()
    return None


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


def listing(dists):
    # Python 2.7 ships egg-infos for itself and wsgiref in its stdlib (lib-dynload too): part of Python, not installed.
    stdlib = os.path.realpath(os.path.dirname(os.__file__))

    def in_stdlib(dist):
        parent = os.path.realpath(os.path.dirname(dist["info"]))
        return parent == stdlib or (os.path.dirname(parent) == stdlib and os.path.basename(parent) not in ("site-packages", "dist-packages"))

    return dict((key, dist["version"]) for key, dist in dists.items() if not in_stdlib(dist))


def base_executable(executable, in_venv):
    real = os.path.realpath(executable)
    if not in_venv:
        return real
    config = {}
    for line in (read_text(os.path.join(sys.prefix, "pyvenv.cfg")) or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            config[key.strip().lower()] = value.strip()
    candidates = [config.get("base-executable"), getattr(sys, "_base_executable", None)]
    homes = [config.get("home"), os.path.join(getattr(sys, "real_prefix", ""), "bin")]
    for home in homes:
        if home:
            for name in (os.path.basename(executable), "python%d.%d" % sys.version_info[:2], "python%d" % sys.version_info[0], "python"):
                candidates.append(os.path.join(home, name))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.path.realpath(candidate) != real:
            return os.path.realpath(candidate)
    return real


def abi_tag():
    import platform, sysconfig
    soabi = sysconfig.get_config_var("SOABI")
    if soabi:
        return soabi
    # Python 2.7 has no SOABI: build what 3.x would call it.
    flags = ""
    if sysconfig.get_config_var("Py_DEBUG") or hasattr(sys, "gettotalrefcount"):
        flags += "d"
    if sysconfig.get_config_var("WITH_PYMALLOC") and sys.version_info[0] == 2:
        flags += "m"
    if sys.version_info[0] == 2 and sys.maxunicode == 0x10FFFF:
        flags += "u"
    machine = sysconfig.get_config_var("MULTIARCH") or re.sub(r"[-.]", "_", sysconfig.get_platform())
    return "%s-%d%d%s-%s" % (platform.python_implementation().lower(), sys.version_info[0], sys.version_info[1], flags, machine)


def pkg_resources_works(warnings):
    # Importing pkg_resources scans every distribution: slow, so only where the
    # answer is in doubt. Before 3.12 every setuptools that ships it imports;
    # 3.12 removed pkgutil.ImpImporter, which setuptools before 66.1 uses.
    if not found("pkg_resources"):
        return False
    if sys.version_info < (3, 12):
        return True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pkg_resources  # noqa: F401
        return True
    except Exception:
        return False


def facts():
    import sysconfig, warnings
    executable = os.path.abspath(sys.executable) if sys.executable else ""
    in_venv = hasattr(sys, "real_prefix") or getattr(sys, "base_prefix", sys.prefix) != sys.prefix
    marker = os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED")
    try:
        import pip
        pip_version = pip.__version__
    except Exception:
        pip_version = None
    has_pkg_resources = pkg_resources_works(warnings)
    return {
        "executable": executable,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "major": sys.version_info[0],
        "minor": sys.version_info[1],
        "abi": abi_tag(),
        "prefix": sys.prefix,
        "baseExecutable": base_executable(executable, in_venv) if executable else "",
        "inVirtualEnv": in_venv,
        "externallyManaged": not in_venv and os.path.isfile(marker),
        "pipVersion": pip_version,
        "hasVenv": found("venv") and found("ensurepip"),
        "hasVirtualenvModule": found("virtualenv"),
        "hasPkgResources": has_pkg_resources,
    }


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


mode = sys.argv[1]
if mode == "facts":
    answer(facts())
elif mode == "installed":
    answer(listing(distributions()))
elif mode == "verify":
    answer(verify(json.loads(sys.argv[3])))
elif mode == "imports":
    answer(imports(json.loads(sys.argv[3])))
elif mode == "entry-points":
    answer(entry_points(json.loads(sys.argv[3])))
sys.exit("unknown probe mode " + mode)
