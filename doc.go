// Package zhidu holds the shared vocabulary of the zhidu service: secrecy
// levels, roles, departments, actors, the human-task contract between
// workflows and activities, and the error codes every layer speaks.
//
// It depends on nothing but the standard library, so every other package —
// including the deterministic workflow code — may import it.
package zhidu
