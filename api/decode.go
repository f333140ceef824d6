package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
)

// decode reads a JSON body strictly: unknown fields, trailing data and
// oversize bodies are errors.
func decode(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return zhidu.Errorf(zhidu.CodeTooLarge, "request body is larger than %d bytes", tooBig.Limit)
		}
		return zhidu.Errorf(zhidu.CodeInvalid, "cannot read request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badJSON(err)
	}
	if dec.More() {
		return zhidu.Errorf(zhidu.CodeInvalid, "request body has data after the JSON value")
	}
	return nil
}

func badJSON(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return invalid(typeErr.Field, "must be a "+typeErr.Type.String())
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f := strings.Trim(field, `"`)
		return invalid(f, "is not a known field")
	}
	if strings.Contains(err.Error(), "unknown level") {
		return invalid("level", err.Error())
	}
	return zhidu.Errorf(zhidu.CodeInvalid, "request body is not valid JSON: %v", err)
}

// normalise turns json.Number values (from UseNumber) into float64, the
// type the forms and Temporal's JSON converter agree on.
func normalise(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = normalise(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalise(e)
		}
	}
	return v
}

// params reads typed query parameters, collecting errors per field.
type params struct {
	c    *gin.Context
	errs map[string]string
}

func queryParams(c *gin.Context) *params { return &params{c: c, errs: map[string]string{}} }

func (p *params) str(name string, max int) string {
	v := p.c.Query(name)
	if len(v) > max {
		p.errs[name] = fmt.Sprintf("must be at most %d characters", max)
		return ""
	}
	return v
}

func (p *params) oneOf(name string, allowed ...string) string {
	v := p.c.Query(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.errs[name] = fmt.Sprintf("must be one of %s", strings.Join(allowed, ", "))
	return ""
}

func (p *params) list(name string, allowed ...string) []string {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		ok := false
		for _, a := range allowed {
			ok = ok || s == a
		}
		if !ok {
			p.errs[name] = fmt.Sprintf("must be a comma-separated list of %s", strings.Join(allowed, ", "))
			return nil
		}
		out = append(out, s)
	}
	return out
}

func (p *params) integer(name string, min, max int) int {
	v := p.c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.errs[name] = fmt.Sprintf("must be an integer from %d to %d", min, max)
		return 0
	}
	return n
}

func (p *params) boolean(name string) *bool {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.errs[name] = "must be true or false"
		return nil
	}
	return &b
}

func (p *params) time(name string) *time.Time {
	v := p.c.Query(name)
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		p.errs[name] = "must be an RFC 3339 time, e.g. 2026-11-27T09:00:00Z"
		return nil
	}
	return &t
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return zhidu.Invalid("invalid query parameters", p.errs)
}
