// Package validate checks zhidu's deployment files offline with the tools
// that read them: deploy/compose/docker-compose.yml with compose-go (the
// loader and schema `docker compose config` uses) and deploy/k8s with
// `kubectl kustomize`, every rendered document strict-decoded into the
// k8s.io/api types. It has tests only; it is its own package so that their
// dependencies are built only here.
package validate
