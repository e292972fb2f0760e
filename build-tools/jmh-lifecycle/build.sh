#!/usr/bin/env bash
# Rebuilds the `jmh` lifecycle extension and installs it into the project-local repository .mvn/repo,
# from which the parent pom loads it (Maven cannot build an extension in the reactor that uses it).
# Run after editing components.xml; the jar is reproducible (fixed timestamps), so an unchanged source
# gives an unchanged jar, and .ci/run checks that the committed jar matches this source.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mvn -B -q -f "$here/pom.xml" -Dmaven.repo.local="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}" package
mvn -B -q -f "$here/pom.xml" install:install-file \
  -Dfile="$here/target/lvs4j-jmh-lifecycle-1.0.jar" -DpomFile="$here/pom.xml" \
  -DlocalRepositoryPath="$top/.mvn/repo" -DcreateChecksum=false
rm -f "$top"/.mvn/repo/io/lvs4j/build/lvs4j-jmh-lifecycle/maven-metadata-local.xml*
find "$top/.mvn/repo" -name '_remote.repositories' -delete
