"""A PEP 517 build backend for the fixture git repositories.

Shipped to pip as the wheel `dpm-fixture-backend` from the loopback index, so
that building from git needs a build requirement resolved through the index,
as nova-dpm's pbr/setuptools are in real life. It reads fixture.json at the
root of the source tree: {"name", "version", "requires"}.
"""
import base64
import hashlib
import json
import os
import zipfile


def _meta():
    with open("fixture.json") as f:
        return json.load(f)


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    meta = _meta()
    dist = meta["name"].replace("-", "_")
    info = "%s-%s.dist-info" % (dist, meta["version"])
    files = {}
    for root, _dirs, names in os.walk(dist):
        for name in names:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                files[full.replace(os.sep, "/")] = f.read()
    lines = ["Metadata-Version: 2.1", "Name: " + meta["name"], "Version: " + meta["version"]]
    lines += ["Requires-Dist: " + r for r in meta.get("requires", [])]
    files[info + "/METADATA"] = ("\n".join(lines) + "\n").encode()
    files[info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: dpm-fixture-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append(info + "/RECORD,,")
    files[info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    filename = "%s-%s-py3-none-any.whl" % (dist, meta["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as whl:
        for name, data in files.items():
            whl.writestr(name, data)
    return filename
