# What the action needs to know of an interpreter before it uses it.
from __future__ import absolute_import, print_function
import os, re, sys

from setup_nova_dpm_probe.dists import found, read_text


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
