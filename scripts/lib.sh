# shellcheck shell=bash
# Shared functions for the scripts in this folder. Sourced, never executed: it sets ROOT (the repository
# root, resolved from this file's own location so the scripts work from any directory) and defines
# functions that either succeed or print a message naming what is missing and exit 1.

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"

# Pinned tool versions: tests are written against their exact behaviour (anvil's reorg and finality rules).
ANVIL_VERSION="1.7.1"
SOLC_VERSION="0.8.28"
TOOLS_DIR="$ROOT/.tools"
MIN_JAVA=21

die() {
    printf 'evm-indexer: %s\n' "$*" >&2
    exit 1
}

note() {
    printf 'evm-indexer: %s\n' "$*" >&2
}

# Prints the major version of the given java binary (8 for "1.8.0_392", 25 for "25.0.1"), or nothing
# when the binary cannot run.
java_major() {
    local out version
    out="$("$1" -version 2>&1)" || return 0
    version="$(sed -n '/version "/{s/.*version "\([^"]*\)".*/\1/p;q;}' <<<"$out")"
    [[ -n "$version" ]] || return 0
    if [[ "$version" == 1.* ]]; then
        version="${version#1.}"
    fi
    version="${version%%[!0-9]*}"
    printf '%s' "$version"
}

# Succeeds when DIR is a JDK (java and javac: Maven compiles) of version MIN_JAVA or newer and sets
# JDK_MAJOR. Appends what it saw to the global JDK_SEEN (LABEL defaults to DIR), for the error message.
is_jdk() {
    local dir="$1" label="${2:-$1}" major
    [[ -x "$dir/bin/java" ]] || { JDK_SEEN+=("$label (no bin/java)"); return 1; }
    major="$(java_major "$dir/bin/java")"
    if [[ -z "$major" ]]; then
        JDK_SEEN+=("$label (bin/java does not run)")
        return 1
    fi
    if [[ ! -x "$dir/bin/javac" ]]; then
        JDK_SEEN+=("$label (Java $major, a JRE without javac)")
        return 1
    fi
    if (( major < MIN_JAVA )); then
        JDK_SEEN+=("$label (Java $major)")
        return 1
    fi
    JDK_MAJOR="$major"
    return 0
}

# Finds a JDK 21+ and exports JAVA_HOME and PATH for it. Order: $JAVA_HOME; the newest JDK under
# $INDEXER_JVM_DIR (default /usr/lib/jvm; overridable for tests of this function); the javac on PATH.
# Each JDK is looked at once, however many aliases (symlinks) it has.
find_jdk() {
    JDK_SEEN=()
    local best="" best_major=0 dir real javac_path visited=":"
    if [[ -n "${JAVA_HOME:-}" ]]; then
        if is_jdk "$JAVA_HOME" "JAVA_HOME=$JAVA_HOME"; then
            export JAVA_HOME
            export PATH="$JAVA_HOME/bin:$PATH"
            return 0
        fi
        visited+="$(readlink -f "$JAVA_HOME" 2>/dev/null || printf '%s' "$JAVA_HOME"):"
    fi
    local jvm_dir="${INDEXER_JVM_DIR:-/usr/lib/jvm}"
    for dir in "$jvm_dir"/*; do
        [[ -x "$dir/bin/java" ]] || continue   # not a Java installation (docs, .jinfo files, no match)
        real="$(readlink -f "$dir")"
        [[ "$visited" != *":$real:"* ]] || continue
        visited+="$real:"
        if is_jdk "$real" && (( JDK_MAJOR > best_major )); then
            best="$real"
            best_major="$JDK_MAJOR"
        fi
    done
    if [[ -z "$best" ]] && javac_path="$(command -v javac 2>/dev/null)"; then
        real="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
        if [[ "$visited" != *":$real:"* ]] && is_jdk "$real" "$real via javac on PATH"; then
            best="$real"
        fi
    fi
    if [[ -z "$best" ]]; then
        local seen="no Java installation"
        if (( ${#JDK_SEEN[@]} > 0 )); then
            seen="$(printf '%s, ' "${JDK_SEEN[@]}")"
            seen="${seen%, }"
        fi
        printf '%s\n' "evm-indexer needs a JDK $MIN_JAVA or newer; found: $seen (looked at JAVA_HOME, $jvm_dir/* and javac on PATH); install e.g. \`apt-get install openjdk-21-jdk\` or set JAVA_HOME" >&2
        exit 1
    fi
    if [[ -n "${JAVA_HOME:-}" ]]; then
        note "ignoring ${JDK_SEEN[0]}: it is not a JDK $MIN_JAVA+; using $best"
    fi
    export JAVA_HOME="$best"
    export PATH="$JAVA_HOME/bin:$PATH"
}

require_mvn() {
    command -v mvn >/dev/null 2>&1 \
        || die "Maven (mvn) is not on PATH; it builds the indexer: install it (e.g. \`apt-get install maven\`, 3.8 or newer)"
}

require_node() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
        || die "node and npm are needed to install anvil and solcjs into .tools/; install Node.js 20 or newer (e.g. \`apt-get install nodejs npm\`)"
}

# The platform suffix of foundry's npm binary packages (@foundry-rs/anvil-<platform>).
anvil_platform() {
    local os arch
    case "$(uname -s)" in
        Linux) os=linux ;;
        Darwin) os=darwin ;;
        *) die "anvil is published for Linux and macOS only; this is $(uname -s)" ;;
    esac
    case "$(uname -m)" in
        x86_64 | amd64) arch=amd64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *) die "anvil is published for amd64 and arm64 only; this is $(uname -m)" ;;
    esac
    printf '%s-%s' "$os" "$arch"
}

# Prints the "version" of an installed npm package, or nothing when it is not installed.
npm_installed_version() {
    local manifest="$TOOLS_DIR/node_modules/$1/package.json"
    [[ -f "$manifest" ]] || return 0
    sed -n '/^[[:space:]]*"version":/{s/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p;q;}' "$manifest"
}

tools_current() {
    [[ "$(npm_installed_version "@foundry-rs/anvil")" == "$ANVIL_VERSION" ]] \
        && [[ "$(npm_installed_version "@foundry-rs/anvil-$ANVIL_PLATFORM")" == "$ANVIL_VERSION" ]] \
        && [[ "$(npm_installed_version "solc")" == "$SOLC_VERSION" ]] \
        && [[ -x "$ANVIL_BIN" ]] && [[ -e "$SOLCJS" ]]
}

# Installs the pinned anvil and solcjs into .tools/ (git-ignored) unless they are there already, then
# exports ANVIL_BIN and SOLCJS (absolute paths). Idempotent; concurrent callers serialise on a lock.
install_tools() {
    ANVIL_PLATFORM="$(anvil_platform)"
    export ANVIL_BIN="$TOOLS_DIR/node_modules/@foundry-rs/anvil-$ANVIL_PLATFORM/bin/anvil"
    export SOLCJS="$TOOLS_DIR/node_modules/.bin/solcjs"
    tools_current && return 0
    require_node
    mkdir -p "$TOOLS_DIR"
    (
        if command -v flock >/dev/null 2>&1; then
            flock 9
        fi
        tools_current && exit 0
        note "installing anvil $ANVIL_VERSION and solc $SOLC_VERSION into $TOOLS_DIR"
        npm install --no-audit --no-fund --save-exact --prefix "$TOOLS_DIR" \
            "@foundry-rs/anvil@$ANVIL_VERSION" "@foundry-rs/anvil-$ANVIL_PLATFORM@$ANVIL_VERSION" \
            "solc@$SOLC_VERSION" </dev/null >&2 \
            || die "npm install of anvil/solc into $TOOLS_DIR failed (see npm's output above)"
    ) 9>"$TOOLS_DIR/.install.lock" || exit 1
    tools_current || die "after npm install, $ANVIL_BIN or $SOLCJS is still missing or at the wrong version"
}

# Succeeds when indexer/target/indexer.jar is missing or older than any source, migration or pom.
jar_stale() {
    local jar="$ROOT/indexer/target/indexer.jar" sources=()
    [[ -f "$jar" ]] || return 0
    local p
    for p in "$ROOT/indexer/src" "$ROOT/schema" "$ROOT/pom.xml" "$ROOT/indexer/pom.xml"; do
        [[ -e "$p" ]] && sources+=("$p")
    done
    (( ${#sources[@]} > 0 )) || return 1
    [[ -n "$(find "${sources[@]}" -newer "$jar" -print -quit 2>/dev/null)" ]]
}

# Builds the shaded jar when it is stale. Runs after find_jdk. Concurrent callers serialise on a lock so
# that two terminals starting the indexer do not build over each other.
build_jar_if_stale() {
    jar_stale || return 0
    require_mvn
    mkdir -p "$ROOT/indexer/target"
    (
        if command -v flock >/dev/null 2>&1; then
            flock 9
        fi
        jar_stale || exit 0
        note "building indexer/target/indexer.jar (Java $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME)"
        mvn -B -q -DskipTests -f "$ROOT/pom.xml" package </dev/null >&2 \
            || die "the build failed (mvn -B -q -DskipTests package in $ROOT); see Maven's output above"
    ) 9>"$ROOT/indexer/target/.build.lock" || exit 1
}
