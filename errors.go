package zhidu

import (
	"errors"
	"fmt"
)

// Code classifies an error for every layer; the API maps each code to one
// HTTP status (see api/errors.go).
type Code string

// The error codes.
const (
	CodeInvalid         Code = "invalid"           // bad input; Fields says which
	CodeUnauthenticated Code = "unauthenticated"   // no or unknown credentials
	CodeForbidden       Code = "forbidden"         // visible, but the action is not allowed
	CodeNotFound        Code = "not_found"         // missing, or not visible to the caller
	CodeConflict        Code = "conflict"          // the object's state does not allow it
	CodeTooLarge        Code = "too_large"         // request body over the limit
	CodeTooManyRequests Code = "too_many_requests" // a rate limit or sign-in lockout; retry later
	CodeUnavailable     Code = "unavailable"       // a dependency is down
	CodeInternal        Code = "internal"          // a bug or unexpected failure; never echoed
)

// Error is a domain error with a code, a message safe to show to the caller
// and, for CodeInvalid, the offending fields.
type Error struct {
	Code    Code              `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error carrying field errors.
func Invalid(message string, fields map[string]string) *Error {
	return &Error{Code: CodeInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal when there is none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
