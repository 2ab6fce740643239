#!/usr/bin/env bash
# Tags a release: scripts/release.sh vX.Y.Z (or npm run release -- vX.Y.Z).
#
# Refuses unless the tree is clean and on main, the version is new, CHANGELOG.md
# has a section for it and nothing left under [Unreleased], package.json has
# its number, dist/ is a fresh build and the tests pass. Then it creates the
# annotated tag vX.Y.Z, moves the major tag vX (which workflows pin:
# uses: <owner>/setup-nova-dpm@vX) to the same commit, writes the release notes
# (the version's CHANGELOG.md section) to a file in .git/ and prints the push
# and `gh release create` commands. It pushes nothing.
#
# scripts/release.sh --notes vX.Y.Z prints those release notes and changes nothing.
#
# RELEASE_BUILD_COMMAND (default: npm run build) and RELEASE_TEST_COMMAND
# (default: npm test) replace the build and the test run.
set -euo pipefail

refuse() {
  echo "release: $*" >&2
  exit 1
}

usage="usage: scripts/release.sh vX.Y.Z (tag a release) or scripts/release.sh --notes vX.Y.Z (print its notes)"
notes_only=false
if [ $# -eq 2 ] && [ "$1" = --notes ]; then
  notes_only=true
  shift
fi
[ $# -eq 1 ] || refuse "$usage"
tag="$1"
[[ "$tag" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] ||
  refuse "'$tag' is not a release version: write vMAJOR.MINOR.PATCH, e.g. v1.2.0"
version="${tag#v}"
major="v${BASH_REMATCH[1]}"

cd "$(git rev-parse --show-toplevel)"

# The body of CHANGELOG.md's section '## [<name>]...': every line up to the next
# '## ' heading or the link definitions at the bottom, without the blank lines
# around it. Keep a Changelog writes each version's changes there, and that is
# what a GitHub Release and the Marketplace show.
changelog_section() {
  awk -v name="$1" '
    /^## / { inside = index($0, "## [" name "]") == 1; next }
    /^\[[^]]+\]: / { inside = 0 }
    inside { lines[++n] = $0 }
    END {
      first = 1; while (first <= n && lines[first] ~ /^[[:space:]]*$/) first++
      while (n >= first && lines[n] ~ /^[[:space:]]*$/) n--
      for (i = first; i <= n; i++) print lines[i]
    }' CHANGELOG.md
}

# The version's notes: its section, which must be there and say something.
release_notes() {
  # A heading for the version: '## [1.2.0]', then ' - <date>' or nothing.
  grep -Eq "^## \[${version//./\\.}\]( |\$)" CHANGELOG.md ||
    refuse "CHANGELOG.md has no section '## [$version]'; describe the release there first"
  local notes
  notes="$(changelog_section "$version")"
  [ -n "$notes" ] || refuse "CHANGELOG.md's section '## [$version]' is empty; list the release's changes there first"
  printf '%s\n' "$notes"
}

if [ "$notes_only" = true ]; then
  release_notes
  exit 0
fi

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

notes="$(release_notes)"
unreleased="$(changelog_section Unreleased)"
[ -z "$unreleased" ] || refuse "CHANGELOG.md still lists changes under '## [Unreleased]', which $tag would ship without naming them.
Move them into the release's section: put a heading '## [$version] - $(date -u +%Y-%m-%d)' right below
'## [Unreleased]' (or move the lines under the existing '## [$version]' heading), leave '## [Unreleased]'
empty, update the links at the bottom ([Unreleased] compares $tag...HEAD; add [$version]), commit, and run
this again. Under [Unreleased] now:
$unreleased"

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

notes_file="$(git rev-parse --path-format=absolute --git-path "release-notes-$tag.md")"
printf '%s\n' "$notes" > "$notes_file"

echo "Tagged $tag and moved $major to $(git rev-parse --short "$tag^{commit}"). Publish them with:"
echo "  git push origin main"
echo "  git push origin refs/tags/$tag"
echo "  git push --force origin refs/tags/$major"
echo "Then create the GitHub Release with the notes from CHANGELOG.md (also: scripts/release.sh --notes $tag):"
echo "  gh release create $tag --verify-tag --title $tag --notes-file $notes_file"
echo "For the Marketplace, edit that release on GitHub and tick 'Publish this Action to the GitHub Marketplace'."
