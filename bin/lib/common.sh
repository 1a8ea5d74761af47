# Shared by the launch scripts in bin/. Sourced, not run.

TRESTLE_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
TRESTLE_MIN_JAVA=21

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Prints the major version of the java executable given, or nothing.
java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)[.\"].*/\1/p' | head -n 1
}

# Finds a JDK whose major version is at least TRESTLE_MIN_JAVA: JAVA_HOME when it is
# suitable, else the newest under /usr/lib/jvm. Sets TRESTLE_JAVA_HOME.
find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major="$(java_major "$JAVA_HOME/bin/java")"
    if [ -n "$major" ] && [ "$major" -ge "$TRESTLE_MIN_JAVA" ]; then
      TRESTLE_JAVA_HOME="$JAVA_HOME"
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(java_major "$candidate/bin/java")"
    [ -n "$major" ] || continue
    if [ "$major" -ge "$TRESTLE_MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    die "no JDK $TRESTLE_MIN_JAVA or newer found (looked at JAVA_HOME and /usr/lib/jvm/*). Install one, for example: apt-get install -y openjdk-21-jdk-headless (or Temurin 21+), or set JAVA_HOME."
  fi
  TRESTLE_JAVA_HOME="$best"
}

# The folder a product was materialized into by the build.
product_dir() {
  case "$1" in
    workbench) echo "${TRESTLE_WORKBENCH_DIR:-$TRESTLE_ROOT/releng/org.trestle.workbench.product/target/products/org.trestle.workbench/linux/gtk/x86_64/trestle}" ;;
    server) echo "$TRESTLE_ROOT/server/org.trestle.server.product/target/products/org.trestle.server/linux/gtk/x86_64/trestle-server" ;;
  esac
}

# Builds the products (without tests) when the one asked for is not there yet.
ensure_product() {
  local dir
  dir="$(product_dir "$1")"
  if ! ls "$dir"/plugins/org.eclipse.equinox.launcher_*.jar >/dev/null 2>&1 \
      || { [ "$1" = server ] && [ ! -x "$dir/trestle-server" ]; }; then
    echo "$(basename "$0"): building Trestle first (once; about a minute)..." >&2
    (cd "$TRESTLE_ROOT" && JAVA_HOME="$TRESTLE_JAVA_HOME" ./mvnw -B -q -DskipTests package) >&2 \
      || die "the build failed; run ./mvnw -DskipTests package in $TRESTLE_ROOT to see why"
  fi
  ls "$dir"/plugins/org.eclipse.equinox.launcher_*.jar >/dev/null 2>&1 || die "the product is missing from $dir after the build"
}

# Prints the launcher jar of a materialized product.
launcher_jar() {
  ls "$1"/plugins/org.eclipse.equinox.launcher_*.jar | head -n 1
}

# Makes a data directory (and checks it is writable); prints its absolute path.
prepare_data_dir() {
  mkdir -p "$1" 2>/dev/null || die "cannot create the data directory $1"
  [ -w "$1" ] || die "the data directory $1 is not writable"
  (cd "$1" && pwd)
}
