# Sourced by ./caret and ./test: sets JAVA_HOME to a JDK 25 or newer, or explains what to install.
# Looks at $JAVA_HOME first, then every JDK under /usr/lib/jvm, and takes the newest that fits.
# Plain bash where the JDK has a release file (they all do): ./caret runs this on every start.

caret_jdk_version() { # sets caret_version to the feature version of the JDK at $1, or to nothing
    local line
    caret_version=""
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    if [ -r "$1/release" ]; then
        while IFS= read -r line; do
            case "$line" in
                JAVA_VERSION=\"[0-9]*)
                    line=${line#JAVA_VERSION=\"}
                    caret_version=${line%%[!0-9]*}
                    return 0 ;;
            esac
        done <"$1/release"
    else
        caret_version=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    fi
}

caret_find_jdk() {
    local best="" best_version=0 candidate caret_version
    for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
        [ -d "$candidate" ] || continue
        caret_jdk_version "$candidate"
        if [ -n "$caret_version" ] && [ "$caret_version" -ge 25 ] && [ "$caret_version" -gt "$best_version" ]; then
            best=$candidate
            best_version=$caret_version
        fi
    done
    if [ -z "$best" ]; then
        echo "Caret needs a JDK 25 or newer, and found none in JAVA_HOME${JAVA_HOME:+ ($JAVA_HOME)} or /usr/lib/jvm." >&2
        echo "Install one (e.g. Temurin 25: apt-get install temurin-25-jdk from the Adoptium repository)," >&2
        echo "or point JAVA_HOME at it." >&2
        return 1
    fi
    export JAVA_HOME="$best"
}
