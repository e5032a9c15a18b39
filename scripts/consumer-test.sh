#!/usr/bin/env bash
# Proves the packages work as published, from their tarballs, outside the workspace:
#   1. packs every package with pnpm (as `changeset publish` does) and checks that no packed
#      package.json still holds a `workspace:` range;
#   2. library user: a fresh project installs only the core, softmax and backend-cpu tarballs with
#      npm, compiles scripts/consumer/train-tiny.ts with tsc (strict, library types checked too)
#      and runs it: it trains on a tiny generated dataset. Then, with fashion-mnist and plots added,
#      the README examples of those five packages are compiled and run the same way;
#   3. backend author: a fresh project installs the core, conformance and backend-cpu tarballs and
#      vitest, and runs the published conformance suite against the published CPU backend;
#   4. CLI user: a fresh project installs the trainer tarball (with the tarballs of every
#      @tensorplug package its package.json depends on) and runs its `tensorplug` binary:
#      `backends`, then `train --backend cpu --epochs 1` on the real data.
# In step 4 the optional native `gl` module (gpu.js's GPU path) is made to fail its build, as on a
# machine without its system packages, and the install must succeed anyway;
# TENSORPLUG_CONSUMER_GL=build lets it build instead (slow: it compiles ANGLE).
# Needs `pnpm build` first, the npm registry for third-party dependencies, and the Fashion-MNIST
# files where the CLI looks for them. KEEP_CONSUMER_DIR=1 keeps the temporary directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/tensorplug-consumer.XXXXXX")"
if [ "${KEEP_CONSUMER_DIR:-}" = 1 ]; then
  echo "consumer test: keeping ${work}"
else
  trap 'rm -rf "${work}"' EXIT
fi
fail() {
  echo "consumer test FAILED: $*" >&2
  exit 1
}
step() { printf '\n--- %s\n' "$*"; }
# Node 20 can deadlock at exit after a program has done its work: its main thread waits in
# NodePlatform::DrainTasks forever (nodejs/node#54918). It happened here once, to a README example
# that had printed all it should. So each program below gets 5 minutes (they take seconds), and
# one that has not ended by then is killed and run once more; a second hang fails the test.
patient() {
  local status=0
  timeout -k 10 300 "$@" || status=$?
  if [ "${status}" -eq 124 ] || [ "${status}" -eq 137 ]; then
    echo "consumer test: '$*' did not end in 300 s (nodejs/node#54918?); running it once more" >&2
    timeout -k 10 300 "$@"
    return
  fi
  return "${status}"
}
# Third-party tools in the same versions the workspace uses.
version_of() { node -p "require('${root}/node_modules/$1/package.json').version"; }
TS_VERSION="$(version_of typescript)"
TYPES_NODE_VERSION="$(version_of @types/node)"
VITEST_VERSION="$(version_of vitest)"

step "pack every package"
node "${root}/scripts/pack-packages.mjs" "${work}/packs"
tarball() { node -p "require('${work}/packs/packs.json').find((p) => p.name === '$1').tarball"; }

step "no packed package.json holds a workspace: range"
for t in "${work}"/packs/*.tgz; do
  if tar -xzOf "$t" package/package.json | grep -n 'workspace:'; then fail "$(basename "$t") still has workspace: ranges"; fi
done
echo "none in $(ls "${work}"/packs/*.tgz | wc -l) tarballs"

# A fresh npm project (outside the workspace, so nothing resolves from the repository) with the
# given packages installed by npm; then checks that every @tensorplug package came from a tarball.
new_project() {
  local dir="$1"
  shift
  mkdir -p "${dir}"
  printf '{ "name": "%s", "private": true, "type": "module" }\n' "$(basename "${dir}")" >"${dir}/package.json"
  (cd "${dir}" && npm install --no-audit --no-fund --loglevel=error "$@")
  node -e '
    const lock = require(process.argv[1]);
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path.includes("@tensorplug/")) continue;
      if (!String(entry.resolved).startsWith("file:")) {
        console.error(`${path} was not installed from a tarball (resolved: ${entry.resolved})`);
        process.exit(1);
      }
    }' "${dir}/package-lock.json" || fail "an @tensorplug package in ${dir} did not come from the packed tarballs"
}

step "library: core + softmax + backend-cpu, trained from a tiny generated dataset"
lib="${work}/library"
new_project "${lib}" "$(tarball @tensorplug/core)" "$(tarball @tensorplug/softmax)" \
  "$(tarball @tensorplug/backend-cpu)" "typescript@${TS_VERSION}" "@types/node@${TYPES_NODE_VERSION}"
cp "${root}/scripts/consumer/train-tiny.ts" "${root}/scripts/consumer/tsconfig.json" "${lib}/"
(cd "${lib}" && ./node_modules/.bin/tsc -p tsconfig.json && patient node dist/train-tiny.js) || fail "the library program"

step "README examples of core, backend-cpu, softmax, fashion-mnist and plots, compiled and run"
(cd "${lib}" && npm install --no-audit --no-fund --loglevel=error "$(tarball @tensorplug/fashion-mnist)" \
  "$(tarball @tensorplug/plots)")
examples="$(node "${root}/scripts/consumer/extract-examples.mjs" "${lib}" "${root}/packages/core" \
  "${root}/packages/backend-cpu" "${root}/packages/softmax" "${root}/packages/fashion-mnist" \
  "${root}/packages/plots")"
(cd "${lib}" && ./node_modules/.bin/tsc -p tsconfig.json) || fail "a README example does not compile"
for example in ${examples}; do
  name="$(basename "${example}" .ts)"
  echo "${name}:"
  (cd "${lib}" && patient node "dist/${name}.js") || fail "${name} (the README example) failed"
done

step "backend author: the published conformance suite against the published CPU backend"
author="${work}/backend-author"
new_project "${author}" "$(tarball @tensorplug/core)" "$(tarball @tensorplug/conformance)" \
  "$(tarball @tensorplug/softmax)" "$(tarball @tensorplug/backend-cpu)" "vitest@${VITEST_VERSION}"
cp "${root}/scripts/consumer/cpu.conformance.test.ts" "${author}/"
(cd "${author}" && ./node_modules/.bin/vitest run --reporter=dot) || fail "the conformance suite from its tarball"

step "CLI: the tensorplug binary from the trainer tarball"
cli="${work}/cli"
# Read from the trainer's dependencies, so a new one cannot send npm to the registry for it.
cli_tarballs=("$(tarball @tensorplug/trainer)")
for name in $(node -p "Object.keys(require('${root}/apps/trainer/package.json').dependencies)
  .filter((d) => d.startsWith('@tensorplug/')).join(' ')"); do
  cli_tarballs+=("$(tarball "${name}")")
done
echo "trainer with ${#cli_tarballs[@]} tarballs in all"
if [ "${TENSORPLUG_CONSUMER_GL:-fail}" = build ]; then
  new_project "${cli}" "${cli_tarballs[@]}"
else
  # No prebuilt download, and a compiler that always fails: gl's install script fails as it does
  # without libx11-dev and friends. npm must drop the optional module and carry on.
  npm_config_build_from_source=true CC=false CXX=false new_project "${cli}" "${cli_tarballs[@]}"
  [ ! -e "${cli}/node_modules/gl" ] || fail "gl was meant to fail its build, but it is installed"
  echo "gl failed to build and was left out; the install went on"
fi
bin="${cli}/node_modules/.bin/tensorplug"
[ -x "${bin}" ] || fail "the trainer tarball installed no executable tensorplug binary"

(cd "${cli}" && patient "${bin}" backends) | tee "${work}/backends.txt" || fail "tensorplug backends exited non-zero"
# Every backend is a dependency of the CLI, and each starts here in at least one mode.
for backend in cpu gpujs tfjs; do
  grep -q "^${backend} " "${work}/backends.txt" || fail "tensorplug backends does not list ${backend}"
  grep -qE "^${backend} +[^ ]+ +[0-9]+ +available" "${work}/backends.txt" ||
    fail "no mode of ${backend} starts from the installed tarballs"
done
grep -q '^auto picks: ' "${work}/backends.txt" || fail "tensorplug backends does not say what auto picks"

(cd "${cli}" && patient "${bin}" train --backend cpu --epochs 1) | tee "${work}/train.txt" || fail "tensorplug train exited non-zero"
done_line="$(grep -E '^done: 1 epochs? on cpu' "${work}/train.txt")" || fail "no 'done: 1 epoch on cpu' line"
test_acc="$(sed -n 's/.*test acc \([0-9.]*\).*/\1/p' <<<"${done_line}")"
node -e 'process.exit(Number(process.argv[1]) > 0.7 ? 0 : 1)' "${test_acc}" ||
  fail "test accuracy after one epoch is ${test_acc}, not above the book's 0.7"

step "consumer test passed"
