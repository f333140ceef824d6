package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// statusOf is the one mapping from domain error codes to HTTP statuses.
var statusOf = map[zhidu.Code]int{
	zhidu.CodeInvalid:         http.StatusBadRequest,
	zhidu.CodeUnauthenticated: http.StatusUnauthorized,
	zhidu.CodeForbidden:       http.StatusForbidden,
	zhidu.CodeNotFound:        http.StatusNotFound,
	zhidu.CodeConflict:        http.StatusConflict,
	zhidu.CodeTooLarge:        http.StatusRequestEntityTooLarge,
	zhidu.CodeTooManyRequests: http.StatusTooManyRequests,
	zhidu.CodeUnavailable:     http.StatusServiceUnavailable,
	zhidu.CodeInternal:        http.StatusInternalServerError,
}

type errorBody struct {
	Error *zhidu.Error `json:"error"`
}

// fail writes err in the one error shape. Internal errors are logged and
// never echoed.
func fail(c *gin.Context, err error) {
	var e *zhidu.Error
	if !errors.As(err, &e) {
		slog.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err)
		e = zhidu.Fail(zhidu.CodeInternal, zhidu.MsgInternal())
	} else if e.Code == zhidu.CodeInternal || e.Code == zhidu.CodeUnavailable {
		slog.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "error", err)
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	c.AbortWithStatusJSON(status, errorBody{Error: e})
}

func invalid(field string, m zhidu.Message) error {
	return zhidu.Invalid(zhidu.InvalidField(field), map[string]zhidu.Message{field: m})
}
