#!/usr/bin/env bash
# Installs what the project needs and is missing, idempotently. Sourced by start.sh, test.sh and bench.sh.
# Prints one line per tool; a second run installs nothing.
#   - node_modules (npm ci, from package-lock.json)
#   - Debian packages: postgresql-15 (unless DATABASE_URL is set), libxml2-utils (xmllint), poppler-utils (pdftotext)
#   - elk-xsd-host: the long-lived libxml2 XSD validator (epgu/xsdHost/elkXsdHost.c), compiled with cc against
#     libxml2-dev into .tools/bin (rebuilt when its source is newer)
#   - Temporal CLI v1.5.1 built from its Go module (newest tag without `replace`, so `go install` works)
#   - with --test-server: the Java time-skipping test server from Maven Central, and chromium (inbox browser tests)
#   - with --cluster: the Temporal server and its SQL schema tool built from go.temporal.io/server at the version
#     the CLI v1.5.1 bundles (production-shaped topology: scripts/topology/, fault matrix, soak)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
CACHE="${CASE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/case-lifecycle}"
TEMPORAL_CLI_VERSION=1.5.1
mkdir -p "$TOOLS/bin" "$CACHE"

say() { printf '[tools] %s\n' "$*"; }

ensure_node_modules() {
  # npm writes node_modules/.package-lock.json on every install: newer than the lock file means up to date.
  if [ "$ROOT/node_modules/.package-lock.json" -nt "$ROOT/package-lock.json" ]; then
    say "node_modules: present"
  else
    say "node_modules: installing (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

apt_install() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_debian_packages() {
  local missing=()
  if [ -z "${DATABASE_URL:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then missing+=(postgresql-15); fi
  command -v xmllint >/dev/null || missing+=(libxml2-utils)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  apt_install "${missing[@]}"
  say "Debian packages: present (postgresql-15, xmllint, pdftotext)"
}

# Tests only: the clerk inbox is tested in Debian's chromium (driven by playwright-core, no browser download).
ensure_test_browser() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  say "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
}

# The ЕЛК XSD compiled once: a small libxml2 host that keeps the parsed schema (epgu/xsdHost).
ensure_xsd_host() {
  local src="$ROOT/epgu/xsdHost/elkXsdHost.c" bin="$TOOLS/bin/elk-xsd-host"
  if [ -x "$bin" ] && [ "$bin" -nt "$src" ]; then say "elk-xsd-host: present"; return; fi
  local missing=()
  command -v cc >/dev/null || missing+=(gcc)
  command -v xml2-config >/dev/null || missing+=(libxml2-dev)
  apt_install "${missing[@]}"
  # shellcheck disable=SC2046 # xml2-config prints several flags
  cc -O2 -o "$bin.tmp" "$src" $(xml2-config --cflags --libs) && mv "$bin.tmp" "$bin"
  say "elk-xsd-host: built"
}

temporal_ok() { "$1" --version 2>/dev/null | grep -q 'Server 1\.'; }

ensure_temporal_cli() {
  local link="$TOOLS/bin/temporal"
  if [ -x "$link" ] && temporal_ok "$link"; then say "temporal CLI: $(readlink -f "$link")"; return; fi
  local candidate=""
  if [ -n "${TEMPORAL_CLI:-}" ] && temporal_ok "$TEMPORAL_CLI"; then candidate="$TEMPORAL_CLI"
  elif command -v temporal >/dev/null && temporal_ok "$(command -v temporal)"; then candidate="$(command -v temporal)"
  elif [ -x "$CACHE/temporal-$TEMPORAL_CLI_VERSION/temporal" ]; then candidate="$CACHE/temporal-$TEMPORAL_CLI_VERSION/temporal"
  elif [ -x "$(go env GOPATH 2>/dev/null)/bin/temporal" ] && temporal_ok "$(go env GOPATH)/bin/temporal"; then candidate="$(go env GOPATH)/bin/temporal"
  else
    command -v go >/dev/null || { echo "Go is required to build the Temporal CLI (go install github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION)" >&2; exit 1; }
    say "temporal CLI: building v$TEMPORAL_CLI_VERSION from its Go module (several minutes, once)"
    local out="$CACHE/temporal-$TEMPORAL_CLI_VERSION"; mkdir -p "$out"
    if ! GOBIN="$out" GOFLAGS=-buildvcs=false go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION" 2>"$out/build.log"; then
      if grep -qiE 'sum\.golang\.org|verifying module|checksum database' "$out/build.log"; then
        # The checksum database is unreachable: exempt only the CLI module; its dependencies stay verified by its go.sum.
        say "temporal CLI: checksum database unreachable, exempting github.com/temporalio/cli only"
        GONOSUMDB=github.com/temporalio/cli GOBIN="$out" GOFLAGS=-buildvcs=false \
          go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
      else
        cat "$out/build.log" >&2; exit 1
      fi
    fi
    candidate="$out/temporal"
  fi
  ln -sf "$candidate" "$link"
  say "temporal CLI: $candidate"
}

ensure_test_server() {
  local lib="$TOOLS/temporal-test-server/lib"
  if ls "$lib"/temporal-test-server-*.jar >/dev/null 2>&1; then say "temporal test server: present"; return; fi
  command -v java >/dev/null || apt_install default-jre-headless
  command -v mvn >/dev/null || apt_install maven
  say "temporal test server: fetching from Maven Central"
  mkdir -p "$lib"
  mvn -q -B -f "$ROOT/scripts/test-server/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >/dev/null
  cat > "$TOOLS/bin/temporal-test-server" <<SH
#!/bin/sh
exec java -Xss1m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '$lib/*' io.temporal.testserver.TestServer "\$@"
SH
  chmod +x "$TOOLS/bin/temporal-test-server"
}

# The server version the CLI bundles (github.com/temporalio/cli v1.5.1 go.mod), so both speak the same protocol.
TEMPORAL_SERVER_VERSION=1.29.1
ensure_temporal_server() {
  local out="$CACHE/temporal-server-$TEMPORAL_SERVER_VERSION"
  if [ -x "$out/temporal-server" ] && [ -x "$out/temporal-sql-tool" ]; then
    say "temporal server: $out (server, sql tool)"
  else
    command -v go >/dev/null || { echo "Go is required to build the Temporal server (go.temporal.io/server v$TEMPORAL_SERVER_VERSION)" >&2; exit 1; }
    say "temporal server: building v$TEMPORAL_SERVER_VERSION and temporal-sql-tool from go.temporal.io/server (several minutes, once)"
    mkdir -p "$out/tmp"
    local build=(env GOBIN="$out/tmp" GOFLAGS=-buildvcs=false nice -n 10 go install
      "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION")
    if ! "${build[@]}" 2>"$out/build.log"; then
      if grep -qiE 'sum\.golang\.org|verifying module|checksum database' "$out/build.log"; then
        say "temporal server: checksum database unreachable, exempting go.temporal.io/server only"
        GONOSUMDB=go.temporal.io/server "${build[@]}" 2>>"$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
      else
        cat "$out/build.log" >&2; exit 1
      fi
    fi
    # Written under temporary names first, so an interrupted build never leaves a half binary in place.
    mv "$out/tmp/sql" "$out/temporal-sql-tool"
    mv "$out/tmp/server" "$out/temporal-server"
    rmdir "$out/tmp"
  fi
  ln -sf "$out/temporal-server" "$TOOLS/bin/temporal-server"
  ln -sf "$out/temporal-sql-tool" "$TOOLS/bin/temporal-sql-tool"
}

ensure_node_modules
ensure_debian_packages
ensure_xsd_host
ensure_temporal_cli
for arg in "$@"; do
  case "$arg" in
    --test-server) ensure_test_server; ensure_test_browser ;;
    --cluster) ensure_temporal_server ;;
  esac
done
