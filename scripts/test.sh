#!/usr/bin/env bash
# The whole test suite: unit tests in every module, then the integration tests on real labs.
# Installs the Debian packages it needs first (as root).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-packages.sh" --if-missing
cd "$root"
exec ./mvnw -B -ntp verify "$@"
