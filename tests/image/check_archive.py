"""Checks the image archive scripts/build-image wrote against the Dockerfile's final stage.

    python3 tests/image/check_archive.py IMAGE.tar Dockerfile OUTDIR

Prints `ok CHECK` or `FAIL CHECK: why` per check, and leaves the image's entry point,
Env (one item per line) and working directory in OUTDIR/{entrypoint,env,workdir} for
the cases that run it. Standard library only.
"""

import gzip
import hashlib
import io
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile

archive_path, dockerfile, outdir = sys.argv[1:4]
results = []


def check(name, ok, why=""):
    results.append(ok)
    print(f"ok     {name}" if ok else f"FAIL   {name}: {why}")
    return ok


def final_stage(path):
    """ENTRYPOINT, WORKDIR, USER, LABEL keys and ARG defaults of the Dockerfile's last stage."""
    logical, lines = "", []
    for raw in open(path):
        raw = raw.rstrip("\n")
        if raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            logical += raw.rstrip()[:-1] + " "
            continue
        logical += raw
        if logical.strip():
            lines.append(logical.strip())
        logical = ""
    start = max(i for i, l in enumerate(lines) if l.upper().startswith("FROM "))
    stage = {"labels": [], "args": {}, "workdir": "/", "user": "", "entrypoint": None}
    for line in lines[start + 1:]:
        op, _, rest = line.partition(" ")
        op = op.upper()
        if op == "ARG":
            k, _, v = rest.partition("=")
            stage["args"][k.strip()] = v.strip()
        elif op == "LABEL":
            stage["labels"] += [w.partition("=")[0] for w in shlex.split(rest)]
        elif op == "WORKDIR":
            stage["workdir"] = rest.strip()
        elif op == "USER":
            stage["user"] = rest.strip()
        elif op == "ENTRYPOINT":
            stage["entrypoint"] = json.loads(rest)
    return stage


want = final_stage(dockerfile)
tar = tarfile.open(archive_path)
names = set(tar.getnames())


def read(name):
    return tar.extractfile(name).read()


def blob(digest):
    return read("blobs/" + digest.replace(":", "/"))


# --- the layout: what podman load and docker load read ---------------------------------
check("archive has oci-layout, index.json and docker's manifest.json",
      {"oci-layout", "index.json", "manifest.json"} <= names, sorted(names)[:8])
bad = []
for n in names:
    m = re.fullmatch(r"blobs/sha256/([0-9a-f]{64})", n)
    if m and hashlib.sha256(read(n)).hexdigest() != m.group(1):
        bad.append(n)
check("every blob matches its digest", not bad, bad)
index = json.loads(read("index.json"))
descs = index.get("manifests", [])
check("index.json names one image, ecs-deployment:VERSION",
      len(descs) == 1 and descs[0].get("annotations", {}).get("io.containerd.image.name", "").startswith(
          "docker.io/library/ecs-deployment:"), descs)
manifest = json.loads(blob(descs[0]["digest"]))
config = json.loads(blob(manifest["config"]["digest"]))
docker = json.loads(read("manifest.json"))
check("manifest.json (docker load) names the same config and layers, tagged ecs-deployment:VERSION",
      len(docker) == 1
      and docker[0]["Config"] == "blobs/" + manifest["config"]["digest"].replace(":", "/")
      and docker[0]["Layers"] == ["blobs/" + l["digest"].replace(":", "/") for l in manifest["layers"]]
      and docker[0]["RepoTags"] == ["ecs-deployment:" + config["config"]["Labels"].get(
          "org.opencontainers.image.version", "?")], docker)
layers = []
diff_ids = []
for l in manifest["layers"]:
    data = blob(l["digest"])
    raw = gzip.decompress(data) if "gzip" in l["mediaType"] else data
    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    layers.append(tarfile.open(fileobj=io.BytesIO(raw)))
check("the config's diff_ids are the layers' uncompressed digests",
      diff_ids == config["rootfs"]["diff_ids"], (diff_ids, config["rootfs"]["diff_ids"]))
check(f"{len(layers)} layers: the base, then the release", len(layers) == 2, len(layers))

# --- the config: the Dockerfile's -------------------------------------------------------
c = config["config"]
check("os linux and the build machine's architecture", config.get("os") == "linux"
      and config.get("architecture") == subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                                       text=True).stdout.strip(), config.get("architecture"))
check(f"entry point {want['entrypoint']}", c.get("Entrypoint") == want["entrypoint"], c.get("Entrypoint"))
check("no Cmd (the worker's arguments are docker run's)", not c.get("Cmd"), c.get("Cmd"))
check(f"working directory {want['workdir']}", c.get("WorkingDir") == want["workdir"], c.get("WorkingDir"))
check(f"user '{want['user'] or 'root'}'", c.get("User", "") == want["user"], c.get("User"))
env = c.get("Env") or []
check("Env is bookworm-slim's PATH, /usr/local/bin first", env == [
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], env)
labels = c.get("Labels") or {}
check("the Dockerfile's labels, no more", sorted(labels) == sorted(want["labels"]),
      (sorted(labels), sorted(want["labels"])))
version = os.environ.get("VERSION") or want["args"].get("VERSION", "")
check(f"label version {version}", labels.get("org.opencontainers.image.version") == version, labels)
check("label revision is a full commit id",
      re.fullmatch(r"[0-9a-f]{40}", labels.get("org.opencontainers.image.revision", "")) is not None, labels)
check("label licenses Apache-2.0", labels.get("org.opencontainers.image.licenses") == "Apache-2.0", labels)

# --- what the layers hold -------------------------------------------------------------
files = {}
for layer in layers:
    for m in layer.getmembers():
        files[m.name.lstrip("./").lstrip("/")] = (layer, m)
secretish = re.compile(r"(^|/)(\.aws|\.ssh|\.git|\.docker)(/|$)|(^|/)(credentials|id_rsa|id_ed25519|\.netrc|"
                       r"\.env)$|\.(key|p12|pfx)$")
found = sorted(n for n in files if secretish.search(n))
check("no credentials, keys, .aws, .ssh or .git in the layers", not found, found[:10])
private = []
for n, (layer, m) in files.items():
    if m.isfile() and m.size < 1_000_000:
        data = layer.extractfile(m).read()
        # Libraries that read keys (libssh2, libcrypto) hold the PEM markers themselves.
        if not data.startswith(b"\x7fELF") and (re.search(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----", data) or re.search(
                rb"aws_secret_access_key\s*=\s*\S{16,}", data)):
            private.append(n)
check("no private key or secret access key in any file", not private, private[:10])
check("no secret in the environment", not [e for e in env if re.search(r"AWS_|SECRET|TOKEN|PASSWORD|KEY", e)],
      env)
history = json.dumps(config.get("history", []))
check("no secret in the history", not re.search(r"(?i)secret|AKIA|ASIA|token", history), history[:200])
tools = re.compile(r"(^|/)(swift|swiftc|swift-build|clang|clang\+\+|gcc|g\+\+|cc|c\+\+|cpp|ld|ld\.lld|ld\.gold|as|"
                   r"make|cmake|ninja|git|pkg-config)(-[0-9.]+)?$|^usr/(local/)?include/|\.swiftmodule(/|$)|"
                   r"^opt/swift|^usr/lib/swift|\.a$")
found = sorted(n for n, (_, m) in files.items() if tools.search(n) and not m.isdir())
check("no compiler, linker, Swift toolchain, headers or static libraries", not found, found[:10])
status = files.get("var/lib/dpkg/status")
pkgs = re.findall(r"^Package: (\S+)", status[0].extractfile(status[1]).read().decode(), re.M) if status else []
dev = [p for p in pkgs if p.endswith("-dev") or p in ("build-essential", "gcc", "binutils", "make", "git")]
check(f"{len(pkgs)} Debian packages, none for building", pkgs and not dev, dev)
lists = [n for n in files if n.startswith("var/lib/apt/lists/") and files[n][1].isfile()
         and not n.endswith("lock")]
check("no apt package lists (as the Dockerfile removes them)", not lists, lists[:5])
binaries = [f"usr/local/bin/{t}" for t in ("ecs-deployment", "sqs-receive", "ecs-register", "ecs-update", "ecs-wait")]
check("the worker and the four tools in /usr/local/bin, in the last layer",
      all(n in layers[-1].getnames() or "./" + n in layers[-1].getnames() for n in binaries),
      [n for n in binaries if n not in files])
check("no device nodes (the container runtime makes /dev)",
      not [n for n, (_, m) in files.items() if m.ischr() or m.isblk()], "")

os.makedirs(outdir, exist_ok=True)
open(os.path.join(outdir, "entrypoint"), "w").write("\n".join(c.get("Entrypoint") or []) + "\n")
open(os.path.join(outdir, "env"), "w").write("\n".join(env) + "\n")
open(os.path.join(outdir, "workdir"), "w").write(c.get("WorkingDir") or "/")
sys.exit(0 if all(results) else 1)
