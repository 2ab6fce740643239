# The installed distributions, read from what every installer writes: the
# dist-info and egg-info directories on sys.path.
from __future__ import absolute_import, print_function
import io, os, re, sys


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


def listing(dists):
    # Python 2.7 ships egg-infos for itself and wsgiref in its stdlib (lib-dynload too): part of Python, not installed.
    stdlib = os.path.realpath(os.path.dirname(os.__file__))

    def in_stdlib(dist):
        parent = os.path.realpath(os.path.dirname(dist["info"]))
        return parent == stdlib or (os.path.dirname(parent) == stdlib and os.path.basename(parent) not in ("site-packages", "dist-packages"))

    return dict((key, dist["version"]) for key, dist in dists.items() if not in_stdlib(dist))


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
