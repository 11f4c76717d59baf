#!/bin/sh
# Packaging test: builds a release into a temporary prefix exactly as the
# Dockerfile's build stage does (scripts/build-release), then checks what the
# runtime stage would get: the installed files, that the tools run, that the
# man pages follow --help, and that the shared libraries the binaries load
# come from exactly the packages the runtime stage installs.
#
#   tests/packaging/test-release.sh
#
# Needs the build host to be the runtime image's Debian release (bookworm),
# since library paths are mapped to packages with its dpkg database.
# ECS_DEPLOYMENT_PREFIX: build into this directory and leave the release there
# (scripts/test hands it on to the image stage); default a temporary one.
set -eu

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
# The tools, from the one list (Package.swift's `tools`).
tools=$(sh "$root/scripts/tools")
# Packages every debian:bookworm-slim image has (Priority: required), which
# the Dockerfile therefore does not list.
base_packages="libc6 libgcc-s1"
# Packages the runtime stage installs for something other than a shared
# library: libcurl verifies AWS's TLS certificates with these.
data_packages="ca-certificates"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=${ECS_DEPLOYMENT_PREFIX:-$work/prefix}
passed=0
failed=0

pass() {
    passed=$((passed + 1))
    printf 'ok     %s\n' "$1"
}
fail() {
    failed=$((failed + 1))
    printf 'FAIL   %s\n' "$1"
    if [ $# -gt 1 ]; then
        printf '%s\n' "$2" | sed 's/^/       /'
    fi
}

# --- the C version stamp -----------------------------------------------------
# scripts/build-release compiles the commit into Sources/CShim/version.c; check
# both ways that file can be built.
# The Swift toolchain brings clang; a plain cc will do as well.
c_compiler=
for c in "${CC:-}" cc clang; do
    if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then
        c_compiler=$c
        break
    fi
done
cat >"$work/main.c" <<'C'
#include <stdio.h>
#include "cversion.h"
int main(void) { puts(cshim_git_commit()); return 0; }
C
for case_ in 'abc1234' ''; do
    got=
    if [ -n "$case_" ]; then
        set -- "-DECS_DEPLOYMENT_COMMIT=\"$case_\""
        want=$case_
        how="with $1"
    else
        set --
        want=unknown
        how="without a commit"
    fi
    if [ -n "$c_compiler" ] && "$c_compiler" -I "$root/Sources/CShim/include" "$@" -o "$work/version" \
        "$root/Sources/CShim/version.c" "$work/main.c" 2>"$work/cc.err" \
        && got=$("$work/version") && [ "$got" = "$want" ]; then
        pass "cshim_git_commit() is \"$want\" when built $how"
    else
        fail "cshim_git_commit() is \"$want\" when built $how" \
            "compiler '${c_compiler:-none found}', got '${got:-}' $(cat "$work/cc.err" 2>/dev/null)"
    fi
done

# --- the build ---------------------------------------------------------------
if "$root/scripts/build-release" >/dev/null 2>"$work/usage.err"; then
    fail "build-release without PREFIX is a usage error" "it exited 0"
else
    status=$?
    if [ "$status" -eq 64 ] && grep -q '^usage: build-release PREFIX$' "$work/usage.err"; then
        pass "build-release without PREFIX is a usage error (64)"
    else
        fail "build-release without PREFIX is a usage error (64)" "exit $status: $(cat "$work/usage.err")"
    fi
fi

if ! "$root/scripts/build-release" "$prefix" >"$work/build.out" 2>"$work/build.log"; then
    fail "scripts/build-release PREFIX" "$(tail -n 20 "$work/build.log")"
    printf '%d passed, %d failed\n' "$passed" "$failed"
    exit 1
fi
pass "scripts/build-release PREFIX"

for t in $tools ecs-deployment; do
    if grep -q " $prefix/bin/$t\$" "$work/build.out"; then
        pass "build-release prints the size of $t"
    else
        fail "build-release prints the size of $t" "$(cat "$work/build.out")"
    fi
done

# --- installed files ---------------------------------------------------------
for t in $tools ecs-deployment; do
    if [ -f "$prefix/bin/$t" ] && [ -x "$prefix/bin/$t" ]; then
        pass "bin/$t installed and executable"
    else
        fail "bin/$t installed and executable"
    fi
done
if cmp -s "$root/scripts/ecs-deployment" "$prefix/bin/ecs-deployment"; then
    pass "bin/ecs-deployment is scripts/ecs-deployment"
else
    fail "bin/ecs-deployment is scripts/ecs-deployment"
fi

for t in $tools ecs-deployment; do
    if out=$("$prefix/bin/$t" --version 2>&1) && [ -n "$out" ]; then
        pass "$t --version: $out"
    else
        fail "$t --version exits 0 and prints the version" "$out"
    fi
    if "$prefix/bin/$t" --help >"$work/$t.help" 2>&1 && grep -q "$t" "$work/$t.help"; then
        pass "$t --help"
    else
        fail "$t --help exits 0 and names the tool" "$(cat "$work/$t.help")"
    fi
done

# --- man pages ---------------------------------------------------------------
man1=$prefix/share/man/man1
for t in $tools ecs-deployment; do
    page=$man1/$t.1
    title=$(printf '%s' "$t" | tr '[:lower:]' '[:upper:]')
    if [ -s "$page" ] && grep -q "^\.Dt $title 1\$" "$page" && grep -q '^\.Sh NAME$' "$page"; then
        pass "share/man/man1/$t.1 installed"
    else
        fail "share/man/man1/$t.1 installed, with its title and a NAME section"
        continue
    fi
done
# The generated pages come from the same definitions as --help, and the
# worker's is written to match its usage: every long option --help lists must
# be in the page.
for t in $tools ecs-deployment; do
    # Option lines of --help, indented by two (wrapped text is indented more):
    # "  --name <value>  text" or "  -h, --help  text".
    sed -n 's/^  \(-[A-Za-z0-9], \)\{0,1\}--\([a-z][a-z0-9-]*\).*/\2/p' "$work/$t.help" |
        sort -u >"$work/$t.options"
    missing=
    while read -r opt; do
        grep -q -- "^\.It Fl .*-$opt\\b" "$man1/$t.1" || missing="$missing --$opt"
    done <"$work/$t.options"
    if [ ! -s "$work/$t.options" ]; then
        fail "$t --help lists its options" "$(cat "$work/$t.help")"
        continue
    fi
    if [ -z "$missing" ]; then
        pass "$t.1 documents every option of $t --help"
    else
        fail "$t.1 documents every option of $t --help" "missing:$missing"
    fi
done

# --- shared libraries against the Dockerfile's runtime stage -----------------
# The runtime stage's package list, read from the Dockerfile as scripts/build-image
# reads it for the image's root filesystem.
sh "$root/scripts/build-image" --packages >"$work/runtime.list"
if [ -s "$work/runtime.list" ]; then
    pass "Dockerfile runtime packages: $(tr '\n' ' ' <"$work/runtime.list")"
else
    fail "Dockerfile runtime stage installs packages with apt-get install"
fi

# The package that owns a library path; dpkg records some files under /lib
# and others under /usr/lib, so try the path as ldd gives it, resolved, and
# with /usr added or removed.
owner() {
    for p in "$1" "$(readlink -f "$1")"; do
        case $p in
            /usr/*) alt=${p#/usr} ;;
            *) alt=/usr$p ;;
        esac
        for q in "$p" "$alt"; do
            o=$(dpkg -S "$q" 2>/dev/null | grep -v '^diversion' | head -n 1) || continue
            [ -n "$o" ] || continue
            printf '%s\n' "${o%%:*}"
            return 0
        done
    done
    return 1
}

readelf=
for r in readelf llvm-readelf; do
    if command -v "$r" >/dev/null 2>&1; then
        readelf=$r
        break
    fi
done
if [ -z "$readelf" ]; then
    fail "readelf (binutils) or llvm-readelf is installed, to read the binaries' NEEDED entries"
    readelf=false
fi
: >"$work/direct.list"
: >"$work/all-libs.list"
: >"$work/unowned"
for t in $tools; do
    b=$prefix/bin/$t
    if ! ldd "$b" >"$work/ldd" 2>&1 || grep -q 'not found' "$work/ldd"; then
        fail "ldd $t resolves every library" "$(cat "$work/ldd")"
        continue
    fi
    # name => path for every library ldd loads, the direct ones and theirs.
    awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 } $1 ~ /^\// { n = split($1, a, "/"); print a[n], $1 }' \
        "$work/ldd" >"$work/map"
    cut -d' ' -f2 "$work/map" >>"$work/all-libs.list"
    "$readelf" -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' >"$work/needed"
    while read -r lib; do
        path=$(awk -v n="$lib" '$1 == n { print $2; exit }' "$work/map")
        if [ -n "$path" ] && pkg=$(owner "$path"); then
            printf '%s\n' "$pkg" >>"$work/direct.list"
        else
            printf '%s: %s (%s)\n' "$t" "$lib" "${path:-not loaded}" >>"$work/unowned"
        fi
    done <"$work/needed"
done
if [ -s "$work/unowned" ]; then
    fail "every library the binaries need belongs to a Debian package" "$(cat "$work/unowned")"
else
    pass "every library the binaries need belongs to a Debian package"
fi

sort -u "$work/direct.list" -o "$work/direct.list"
{
    while read -r p; do
        case " $data_packages " in *" $p "*) ;; *) printf '%s\n' "$p" ;; esac
    done <"$work/runtime.list"
    for p in $base_packages; do printf '%s\n' "$p"; done
} | sort -u >"$work/declared.list"
missing=$(comm -23 "$work/direct.list" "$work/declared.list" | tr '\n' ' ')
extra=$(comm -13 "$work/direct.list" "$work/declared.list" | tr '\n' ' ')
if [ -z "$missing" ]; then
    pass "no needed library package missing from the runtime stage"
else
    fail "no needed library package missing from the runtime stage" "needed, not installed: $missing"
fi
if [ -z "$extra" ]; then
    pass "no runtime package that no binary needs (besides $data_packages)"
else
    fail "no runtime package that no binary needs (besides $data_packages)" "installed, not needed: $extra"
fi

# The libraries those libraries load must come with the declared packages'
# dependencies, or apt would not install them in the runtime image.
closure=$work/closure.list
sort -u "$work/declared.list" >"$closure"
cp "$closure" "$work/todo"
while [ -s "$work/todo" ]; do
    : >"$work/next"
    while read -r p; do
        dpkg-query -W -f='${Depends},${Pre-Depends}\n' "$p" 2>/dev/null | tr ',' '\n' | while read -r group; do
            [ -n "$group" ] || continue
            # The first installed alternative of "a (>= 1) | b".
            printf '%s\n' "$group" | tr '|' '\n' | sed 's/(.*)//; s/:any//; s/[[:space:]]//g' | while read -r alt; do
                [ -n "$alt" ] || continue
                if dpkg-query -W -f='${Status}' "$alt" 2>/dev/null | grep -q 'ok installed'; then
                    printf '%s\n' "$alt"
                    break
                fi
            done
        done
    done <"$work/todo" | sort -u >"$work/deps"
    comm -13 "$closure" "$work/deps" >"$work/todo"
    sort -u "$closure" "$work/todo" -o "$closure"
done
: >"$work/stray"
sort -u "$work/all-libs.list" | while read -r path; do
    if pkg=$(owner "$path"); then
        grep -q -x -F "$pkg" "$closure" || printf '%s (%s)\n' "$path" "$pkg" >>"$work/stray"
    else
        printf '%s (no package)\n' "$path" >>"$work/stray"
    fi
done
if [ -s "$work/stray" ]; then
    fail "every library loaded comes with the runtime packages' dependencies" "$(cat "$work/stray")"
else
    pass "every library loaded comes with the runtime packages' dependencies ($(wc -l <"$closure") packages)"
fi

# --- the installed tools deploy -------------------------------------------------
# The release binaries and the installed worker, against the local AWS with exactly
# iam-policy.json behind the credentials: a healthy roll, a bad message, the pipe.
if out=$(ECS_DEPLOYMENT_BIN="$prefix/bin" sh "$root/tests/integration/run" healthy body_not_json pipe_one_message 2>&1); then
    pass "the installed tools deploy against the local AWS ($(printf '%s\n' "$out" | grep -c '^ok ') cases)"
else
    fail "the installed tools deploy against the local AWS" "$(printf '%s\n' "$out" | tail -n 20)"
fi

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
