#!/usr/bin/env bash
# Makes sure apt knows the Debian suite a guest kernel comes from (bookworm itself is always there; a -backports
# suite gets a sources file of its own, created once) and that the lists are loaded. Never touches other sources.
#
#   bash test/vm/apt-sources.sh <suite>
set -euo pipefail

suite=${1:?usage: apt-sources.sh <suite>}
sources_dir=/etc/apt/sources.list.d
file="$sources_dir/scap-vm-$suite.sources"
need_update=0

if [[ $suite == *-backports ]] && ! grep -rqs "Suites:.*\b$suite\b\|^deb .* $suite " "$sources_dir" /etc/apt/sources.list; then
  echo "apt-sources: adding $file"
  cat >"$file" <<EOF
# Added by the project's test/vm (VM test matrix): Debian $suite, for a guest kernel and its headers only.
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  need_update=1
fi

# apt's lists are missing on a fresh machine (or for a just-added suite): load them once.
if ((need_update)) || ! apt-cache show linux-image-amd64 >/dev/null 2>&1 ||
  { [[ $suite == *-backports ]] && ! apt-cache show "linux-image-amd64/$suite" >/dev/null 2>&1; }; then
  echo "apt-sources: apt-get update"
  apt-get update -qq
fi
