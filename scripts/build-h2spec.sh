#!/usr/bin/env bash
# Builds h2spec (github.com/summerwind/h2spec) offline, in GOPATH mode, against Debian's Go
# packages: golang-go golang-golang-x-net-dev golang-github-spf13-cobra-dev
# golang-github-fatih-color-dev (they install under /usr/share/gocode/src).
#
#   scripts/build-h2spec.sh [SRC_DIR] [OUT]     SRC_DIR defaults to $H2SPEC_SRC,
#                                               OUT to ./h2spec
# test/e2e/h2spec.test.ts runs the binary when it is on PATH or named by $H2SPEC.
set -euo pipefail

src="${1:-${H2SPEC_SRC:-}}"
out="${2:-$PWD/h2spec}"
if [[ -z "$src" || ! -f "$src/h2spec.go" ]]; then
  echo "usage: $0 H2SPEC_SOURCE_DIR [OUT]   (or set H2SPEC_SRC); no h2spec.go in '${src}'" >&2
  exit 2
fi
command -v go >/dev/null || { echo "$0: go not found (apt-get install golang-go)" >&2; exit 2; }
debian_src=/usr/share/gocode/src
for pkg in golang.org/x/net/http2 github.com/spf13/cobra github.com/fatih/color; do
  [[ -d "$debian_src/$pkg" ]] || { echo "$0: $debian_src/$pkg missing (install the Debian golang-*-dev packages)" >&2; exit 2; }
done

# A throwaway GOPATH: h2spec's source under its import path, Debian's packages beside it.
gopath="$(mktemp -d)"
trap 'rm -rf "$gopath"' EXIT
mkdir -p "$gopath/src/github.com/summerwind"
cp -r "$src" "$gopath/src/github.com/summerwind/h2spec"
rm -f "$gopath/src/github.com/summerwind/h2spec/go.mod" "$gopath/src/github.com/summerwind/h2spec/go.sum"
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cd "$gopath/src/github.com/summerwind/h2spec"
GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOCACHE="$gopath/.cache" \
  go build -o "$out" ./cmd/h2spec
echo "built $out"
