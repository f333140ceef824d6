# Sourced by test.sh: makes sure kubectl is installed for deploy/validate,
# which renders deploy/k8s with `kubectl kustomize` (offline), installing
# Debian's kubectl package (announced, never silently) when it is missing.
# Needs as_root from postgres.sh.

ensure_kubectl() {
	if ! command -v kubectl >/dev/null 2>&1; then
		echo "==> kubectl not found: installing it with apt-get install -y --no-install-recommends kubectl"
		as_root apt-get update
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kubectl
	fi
}
