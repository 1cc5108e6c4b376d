# Sourced by ./caret and ./test: sets JAVA_HOME to a JDK 25 or newer, or explains what to install.
# Looks at $JAVA_HOME first, then every JDK under /usr/lib/jvm, and takes the newest that fits.

caret_jdk_version() { # prints the feature version of the JDK at $1, or nothing
    local release="$1/release" version=""
    if [ -r "$release" ]; then
        version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
    elif [ -x "$1/bin/java" ]; then
        version=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
    fi
    if [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ]; then
        echo "$version"
    fi
}

caret_find_jdk() {
    local best="" best_version=0 candidate version
    for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
        [ -d "$candidate" ] || continue
        version=$(caret_jdk_version "$candidate")
        if [ -n "$version" ] && [ "$version" -ge 25 ] && [ "$version" -gt "$best_version" ]; then
            best=$candidate
            best_version=$version
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
