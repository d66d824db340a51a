#!/usr/bin/env bash
# Builds kube-apiserver (Kubernetes v1.32) for the real-API-server tests in test/k8s-real/.
#
# Kubernetes' own repository is too big to clone here; openshift/microshift vendors a complete
# Kubernetes tree under deps/github.com/openshift/kubernetes. Its release-4.19 branch carries
# Kubernetes 1.32 (go 1.23, vendored modules), which Debian bookworm-backports' golang-1.23-go builds
# offline. (microshift's main branch has moved to a Kubernetes that needs Go 1.26.)
#
# Usage: scripts/build-kube-apiserver.sh MICROSHIFT [REF]
#   MICROSHIFT  a microshift checkout (has deps/github.com/openshift/kubernetes), or a bare git dir
#               of it (then REF, default release-4.19, is extracted with `git archive`)
# Env: KUBE_SRC (default /opt/kube-src) extraction dir; KUBE_OUT (default /opt/kube/bin) install dir;
#      GO (default /usr/lib/go-1.23/bin/go).
# Prerequisites (Debian bookworm, as root):
#   bookworm-backports enabled in /etc/apt/sources.list.d, then
#   apt-get update && apt-get install -y golang-1.23-go etcd-server etcd-client
# Takes about ten minutes on two cores.
set -euo pipefail

src=${1:?usage: $0 MICROSHIFT_DIR_OR_GIT_DIR [REF]}
ref=${2:-release-4.19}
kube_src=${KUBE_SRC:-/opt/kube-src}
out=${KUBE_OUT:-/opt/kube/bin}
go=${GO:-/usr/lib/go-1.23/bin/go}
sub=deps/github.com/openshift/kubernetes

[ -x "$go" ] || { echo "no Go 1.23 at $go: apt-get install golang-1.23-go (bookworm-backports)" >&2; exit 1; }

if [ -d "$src/$sub" ]; then
  tree=$src/$sub
else
  git --git-dir="$src" rev-parse --verify -q "$ref^{commit}" >/dev/null \
    || { echo "$src is neither a microshift checkout nor a git dir with $ref" >&2; exit 1; }
  # A mirror may lack its largest blobs (test data, never build inputs): leave them out. git archive
  # still prints "invalid object" for each one it skips, and exits 0.
  listing=$(git --git-dir="$src" ls-tree -r "$ref" "$sub" | awk '$2=="blob"{print $3, $4}')
  missing=$(cut -d' ' -f1 <<<"$listing" | git --git-dir="$src" cat-file --batch-check 2>/dev/null \
    | awk '$2=="missing"{print $1}')
  absent=()
  [ -z "$missing" ] || mapfile -t absent < <(grep -F -f <(echo "$missing") <<<"$listing" | cut -d' ' -f2- | sed 's/^/:(exclude)/')
  [ ${#absent[@]} -eq 0 ] || echo "leaving out ${#absent[@]} absent blob(s): ${absent[*]}"
  rm -rf "$kube_src" && mkdir -p "$kube_src"
  git --git-dir="$src" archive "$ref" -- "$sub" "${absent[@]}" | tar -x -C "$kube_src"
  tree=$kube_src/$sub
fi

mkdir -p "$out"
cd "$tree"
# The version the tree carries (OpenShift labels its images with it), so /version answers it rather than
# v0.0.0-master; KUBE_VERSION overrides.
version=${KUBE_VERSION:-v$(grep -o 'kubernetes=[0-9.]*' openshift-hack/images/hyperkube/Dockerfile.rhel 2>/dev/null | head -1 | cut -d= -f2)}
[ "$version" != v ] || version=v0.0.0-unknown
major=${version#v}; minor=${major#*.}; major=${major%%.*}; minor=${minor%%.*}
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
echo "building kube-apiserver $version from $tree with $("$go" version)"
# Vendored, static, and never reaching for another toolchain: the build must work offline.
GOFLAGS=-mod=vendor CGO_ENABLED=0 GOTOOLCHAIN=local \
  "$go" build -trimpath -ldflags="$ldflags" -o "$out/kube-apiserver" ./cmd/kube-apiserver
"$out/kube-apiserver" --version
