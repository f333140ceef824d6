// Package rollout shows, in its test, how a new zhidu version rolls out
// while processes are in flight: a process runs half-way on the old worker
// code, the old worker stops, and the new code — a change guarded by
// workflow.GetVersion — finishes it, while new processes take the new
// path. It has tests only.
package rollout
