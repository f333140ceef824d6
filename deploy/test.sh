#!/usr/bin/env bash
# The project's test command: formatting, vet, dependency rules, then all
# tests. Tests start their own PostgreSQL (see pgtest), so this script only
# makes sure the PostgreSQL binaries are installed, Chromium for the web
# inbox's browser tests and kubectl for deploy/validate.
# Extra arguments are passed to "go test".
set -euo pipefail
cd "$(dirname "$0")/.."

. deploy/postgres.sh
. deploy/chromium.sh
. deploy/kubectl.sh

echo "==> checking for PostgreSQL binaries"
ensure_postgres

echo "==> checking for Chromium (web inbox browser tests)"
ensure_chromium

echo "==> checking for kubectl (deploy/validate renders deploy/k8s)"
ensure_kubectl

echo "==> gofmt -l"
unformatted=$(find . \( -name .git -o -name vendor -o -name testdata -o -name '.?*' -o -name '_*' \) -prune -o -name '*.go' -type f -print0 | xargs -0 -r gofmt -l)
if [ -n "$unformatted" ]; then
	echo "these files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi

echo "==> go vet ./..."
go vet ./...

if [ -d workflows ]; then
	echo "==> checking that ./workflows does not depend on pgx, gin or casbin"
	deps=$(go list -deps ./workflows/...)
	forbidden=$(grep -E 'pgx|gin-gonic|casbin' <<<"$deps" || true)
	if [ -n "$forbidden" ]; then
		echo "./workflows must not depend on:" >&2
		echo "$forbidden" >&2
		exit 1
	fi
fi

# The fuzz targets (issue 18, hostile input): go test runs their seed
# corpora (testdata/fuzz/FuzzX/) as unit tests below; here each is fuzzed
# for a few seconds (-fuzz takes one target per package). ZHIDU_FUZZTIME
# sets how long (default 4s, under a minute in all; 0 skips).
fuzztime=${ZHIDU_FUZZTIME:-4s}
if [ "$fuzztime" != 0 ]; then
	for target in \
		.:FuzzCheckText .:FuzzFormValidate .:FuzzNormalizePhone .:FuzzNormalizeCompanyID \
		./api:FuzzDecode ./api:FuzzBodies ./api:FuzzQueryParams ./api:FuzzRegisterFilter \
		./workflows:FuzzGrantDuration; do
		pkg=${target%%:*} name=${target#*:}
		echo "==> fuzzing $name in $pkg for $fuzztime"
		# The fuzzing engine itself sometimes fails at the end of
		# -fuzztime with "context deadline exceeded" on a loaded machine,
		# writing no failing input: that (and only that) is tried once more.
		if ! out=$(go test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "$pkg" 2>&1); then
			echo "$out"
			if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
				echo "==> the fuzzing engine timed out stopping (no failing input): fuzzing $name again"
				go test -run='^$' -fuzz="^$name\$" -fuzztime="$fuzztime" "$pkg"
			else
				exit 1
			fi
		else
			echo "$out"
		fi
	done
fi

echo "==> go test -count=1 -timeout 30m ./... $*"
go test -count=1 -timeout 30m ./... "$@"

# The test-only example process of docs/ADDING_A_PROCESS.md (example_leave)
# exists only with -tags example: the packages whose tests run over every
# descriptor run again with it, and the tests that name it.
echo "==> the example process: go vet and go test -tags example"
go vet -tags example ./workflows/... ./api/... ./authz/... ./cmd/... ./e2e/...
go test -count=1 -timeout 30m -tags example ./workflows/... ./api/... ./web/... "$@"
go test -count=1 -timeout 30m -tags example -run 'ExampleLeave|ProcessSettings|DefaultPolicy' ./authz/... ./cmd/zhidu/...
go test -count=1 -timeout 30m -tags example -run 'TestExampleLeave|TestProcessKinds' ./e2e/...
