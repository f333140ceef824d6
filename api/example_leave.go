//go:build example

package api

import _ "embed"

// The start route of the test-only example process
// (workflows/example_leave.go), documented in a part of its own so that
// openapi.json names no route a production build lacks. A real process's
// path item goes into openapi.json.

//go:embed example_leave.openapi.json
var exampleLeaveOpenAPI []byte

func init() { openAPIParts = append(openAPIParts, exampleLeaveOpenAPI) }
