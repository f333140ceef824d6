package zhidu

import (
	"encoding/json"
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
// and, for CodeInvalid, the offending fields. Message and Fields are the
// English; MessageCode and FieldCodes say the same as codes with
// parameters, for a client to say in its own language. The constructors
// fill both.
type Error struct {
	Code        Code               `json:"code"`
	Message     string             `json:"message"`
	Fields      map[string]string  `json:"fields,omitempty"`
	MessageCode Message            `json:"message_code"`
	FieldCodes  map[string]Message `json:"field_codes,omitempty"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// MarshalJSON writes the error with its codes; an error built without them
// carries its English as a plain message.
func (e *Error) MarshalJSON() ([]byte, error) {
	type plain Error
	out := *e
	if out.MessageCode.IsZero() {
		out.MessageCode = Plain(out.Message)
	}
	if len(out.Fields) > 0 {
		out.FieldCodes = e.FieldMessages()
	}
	return json.Marshal((*plain)(&out))
}

// Said returns the error's message as a code: MessageCode, or the English
// as a plain message when there is none.
func (e *Error) Said() Message {
	if e.MessageCode.IsZero() {
		return Plain(e.Message)
	}
	return e.MessageCode
}

// FieldMessages returns the field errors as codes, a plain message for a
// field without one.
func (e *Error) FieldMessages() map[string]Message {
	if len(e.Fields) == 0 && len(e.FieldCodes) == 0 {
		return nil
	}
	out := make(map[string]Message, len(e.Fields))
	for k, v := range e.Fields {
		out[k] = Plain(v)
	}
	for k, m := range e.FieldCodes {
		out[k] = m
	}
	return out
}

// Said returns what err says as a message: the message of the first *Error
// in its chain, else its text as a plain message.
func Said(err error) Message {
	var e *Error
	if errors.As(err, &e) {
		return e.Said()
	}
	return Plain(err.Error())
}

// Fail returns an *Error saying m.
func Fail(code Code, m Message) *Error {
	return &Error{Code: code, Message: m.String(), MessageCode: m}
}

// Errorf returns an *Error with a formatted message that has no code of
// its own (a plain message).
func Errorf(code Code, format string, args ...any) *Error {
	return Fail(code, Plain(fmt.Sprintf(format, args...)))
}

// Invalid returns a CodeInvalid error carrying field errors.
func Invalid(m Message, fields map[string]Message) *Error {
	e := Fail(CodeInvalid, m)
	if len(fields) > 0 {
		e.Fields = make(map[string]string, len(fields))
		e.FieldCodes = fields
		for k, f := range fields {
			e.Fields[k] = f.String()
		}
	}
	return e
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
