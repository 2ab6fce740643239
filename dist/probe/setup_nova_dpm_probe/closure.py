# A closure of requirements and what a constraints file would change in it;
# markers are evaluated with the `packaging` that pip vendors, from pip 9
# (2.7) to pip 24 (3.13).
from __future__ import absolute_import, print_function
import os, re

from setup_nova_dpm_probe.dists import canonical, distributions, listing, read_text, record_of


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
