package zhidu

import "time"

// TEMP: replaced at merge by the generic register.

// RegisterRecord records what a step of a process decided, for its kind's
// register: each field given replaces the register's field of that name;
// fields not given stay as they are.
type RegisterRecord struct {
	ProcessID string         `json:"process_id"`
	Kind      string         `json:"kind"`
	Fields    map[string]any `json:"fields"`
	At        time.Time      `json:"at"`
}
