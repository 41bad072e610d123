#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries a binary links directly
# (its ELF NEEDED entries), one per line, sorted. deploy/Dockerfile runs it in the build
# stage so that the runtime stage installs exactly what the freshly built sealpost-server
# needs, even after someone links a new library; apt brings their own dependencies.
#   deploy/runtime-packages.sh build/server/sealpost-server
# Fails (exit 1) when a library does not resolve or belongs to no installed package.
set -euo pipefail

die() { echo "runtime-packages: $*" >&2; exit 1; }

binary=${1:-}
[[ -n $binary && -x $binary ]] || die "usage: $0 PATH-OF-AN-EXECUTABLE"
command -v objdump >/dev/null || die "objdump not found (Debian package binutils)"

resolved=$(ldd "$binary") || die "ldd failed on $binary"
needed=$(objdump -p "$binary" | awk '$1 == "NEEDED" { print $2 }')
[[ -n $needed ]] || die "$binary links no shared library (static?)"

# On merged-/usr systems the loader reports /lib/... while the package may list /usr/lib/...
# (or the other way round): ask dpkg about each spelling, all in one (slow) query.
declare -A path_of
candidates=()
for soname in $needed; do
  path=$(awk -v s="$soname" '$1 == s && $2 == "=>" { print $3 }' <<<"$resolved")
  [[ -n $path && $path != not ]] || die "$soname: not found by the dynamic loader"
  path_of[$soname]=$path
  candidates+=("$path" "/usr$path" "${path#/usr}")
done
declare -A owner_of
while IFS= read -r line; do
  [[ $line == diversion* ]] && continue
  owner_of[${line#*: }]=${line%%[:,]*}
done < <(dpkg-query -S "${candidates[@]}" 2>/dev/null || true)

packages=()
for soname in $needed; do
  path=${path_of[$soname]}
  owner=""
  for candidate in "$path" "/usr$path" "${path#/usr}"; do
    owner=${owner_of[$candidate]:-}
    [[ -n $owner ]] && break
  done
  [[ -n $owner ]] || die "$soname ($path): no installed Debian package owns it"
  packages+=("$owner")
done

printf '%s\n' "${packages[@]}" | sort -u
