#!/usr/bin/env bash
# Tags a release: scripts/release.sh vX.Y.Z (or npm run release -- vX.Y.Z).
#
# Refuses unless the tree is clean and on main, the version is new, CHANGELOG.md
# and package.json agree with it, dist/ is a fresh build and the tests pass.
# Then it creates the annotated tag vX.Y.Z, moves the major tag vX (which
# workflows pin: uses: <owner>/setup-nova-dpm@vX) to the same commit, and
# prints the push commands. It pushes nothing.
#
# RELEASE_BUILD_COMMAND (default: npm run build) and RELEASE_TEST_COMMAND
# (default: npm test) replace the build and the test run.
set -euo pipefail

refuse() {
  echo "release: $*" >&2
  exit 1
}

[ $# -eq 1 ] || refuse "usage: scripts/release.sh vX.Y.Z"
tag="$1"
[[ "$tag" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  refuse "'$tag' is not a release version: write vMAJOR.MINOR.PATCH, e.g. v1.2.0"
version="${tag#v}"
major="v${BASH_REMATCH[1]}"

cd "$(git rev-parse --show-toplevel)"

dirty="$(git status --porcelain)"
[ -z "$dirty" ] || refuse "the work tree has uncommitted changes; commit or remove them first:
$dirty"

branch="$(git symbolic-ref --quiet --short HEAD || true)"
[ "$branch" = main ] || refuse "releases are tagged on main, not on '${branch:-a detached HEAD}'"

newest="$(git tag --list 'v*' | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1 || true)"
if [ -n "$newest" ]; then
  [ "$newest" != "$tag" ] || refuse "$tag is already tagged"
  [ "$(printf '%s\n%s\n' "$newest" "$tag" | sort -V | tail -n 1)" = "$tag" ] ||
    refuse "$tag is not newer than the newest release, $newest"
fi

grep -Eq "^## \[${version//./\\.}\]( |\$)" CHANGELOG.md ||
  refuse "CHANGELOG.md has no section '## [$version]'; describe the release there first"

package_version="$(node -p 'require("./package.json").version')"
[ "$package_version" = "$version" ] ||
  refuse "package.json has version $package_version, not $version; set it (npm version --no-git-tag-version $version) and commit"

echo "release: building dist/ from the source" >&2
bash -c "${RELEASE_BUILD_COMMAND:-npm run build}" || refuse "the build failed"
if ! git diff --quiet -- dist || [ -n "$(git ls-files --others --exclude-standard -- dist)" ]; then
  git status --short -- dist >&2
  refuse "dist/ is not a fresh build of the source; commit the rebuilt dist/ first"
fi

echo "release: running the tests" >&2
bash -c "${RELEASE_TEST_COMMAND:-npm test}" || refuse "the tests failed; nothing was tagged"
[ -z "$(git status --porcelain)" ] || refuse "the tests changed the work tree; nothing was tagged:
$(git status --porcelain)"

git tag --annotate --message "$tag" "$tag"
git tag --force --annotate --message "$major: $tag" "$major" "$tag^{commit}"

echo "Tagged $tag and moved $major to $(git rev-parse --short "$tag^{commit}"). Publish them with:"
echo "  git push origin main"
echo "  git push origin refs/tags/$tag"
echo "  git push --force origin refs/tags/$major"
