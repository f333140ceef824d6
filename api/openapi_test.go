package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// openAPIOperation is the part of an OpenAPI operation the tests check.
type openAPIOperation struct {
	OperationID string                     `json:"operationId"`
	Summary     string                     `json:"summary"`
	Parameters  []map[string]any           `json:"parameters"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

// openAPIDocument is the part of the OpenAPI document the tests check.
type openAPIDocument struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Security   []map[string][]string                 `json:"security"`
	Components struct {
		SecuritySchemes map[string]any `json:"securitySchemes"`
		Schemas         map[string]any `json:"schemas"`
		Parameters      map[string]any `json:"parameters"`
		Responses       map[string]any `json:"responses"`
	} `json:"components"`
}

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// readOpenAPI parses the document the API serves: api/openapi.json, with
// the parts of a build's tagged processes (openAPIParts) merged in.
func readOpenAPI(t *testing.T) ([]byte, openAPIDocument) {
	t.Helper()
	raw := OpenAPI()
	var doc openAPIDocument
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	return raw, doc
}

// openAPIOperations returns the document's operations keyed "METHOD /path".
func openAPIOperations(t *testing.T, doc openAPIDocument) map[string]openAPIOperation {
	t.Helper()
	ops := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for key, raw := range item {
			if !slices.Contains(openAPIMethods, key) {
				continue // parameters, summary, description, servers
			}
			var op openAPIOperation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", key, path, err)
			}
			ops[strings.ToUpper(key)+" "+path] = op
		}
	}
	return ops
}

var (
	ginParam     = regexp.MustCompile(`/[:*][^/]*`)
	openAPIParam = regexp.MustCompile(`/\{[^/}]*\}`)

	openAPIParamName = regexp.MustCompile(`\{([^/}]+)\}`)
)

// routeShape replaces path parameters, whatever their names, by {}:
// Gin's /tasks/:id and OpenAPI's /tasks/{id} both become /tasks/{}.
func routeShape(path string) string {
	path = ginParam.ReplaceAllString(path, "/{}")
	return openAPIParam.ReplaceAllString(path, "/{}")
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	router := New(nil, nil, nil, DefaultConfig()).Router()
	_, doc := readOpenAPI(t)

	routes := map[string]string{} // shape → as the router spells it
	for _, r := range router.Routes() {
		routes[r.Method+" "+routeShape(r.Path)] = r.Method + " " + r.Path
	}
	documented := map[string]string{}
	for key := range openAPIOperations(t, doc) {
		method, path, _ := strings.Cut(key, " ")
		shape := method + " " + routeShape(path)
		if other, dup := documented[shape]; dup {
			t.Errorf("%s and %s describe the same route", other, key)
		}
		documented[shape] = key
	}

	var missing, extra []string
	for shape, route := range routes {
		if _, ok := documented[shape]; !ok {
			missing = append(missing, route)
		}
	}
	for shape, op := range documented {
		if _, ok := routes[shape]; !ok {
			extra = append(extra, op)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json:\n\t%s", strings.Join(missing, "\n\t"))
	}
	if len(extra) > 0 {
		t.Errorf("operations in openapi.json the router does not serve:\n\t%s", strings.Join(extra, "\n\t"))
	}
	if len(routes) == 0 {
		t.Fatal("the router has no routes")
	}
}

func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	raw, doc := readOpenAPI(t)
	if !utf8.Valid(raw) {
		t.Error("openapi.json is not valid UTF-8")
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	if _, ok := doc.Components.SecuritySchemes["bearerAuth"]; !ok {
		t.Error("components.securitySchemes has no bearerAuth")
	}

	ops := openAPIOperations(t, doc)
	if len(ops) == 0 {
		t.Fatal("openapi.json has no operations")
	}
	ids := map[string]string{}
	for key, op := range ops {
		if op.OperationID == "" {
			t.Errorf("%s has no operationId", key)
		} else if other, dup := ids[op.OperationID]; dup {
			t.Errorf("%s and %s share operationId %q", other, key, op.OperationID)
		}
		ids[op.OperationID] = key
		if op.Summary == "" {
			t.Errorf("%s has no summary", key)
		}
		if len(op.Responses) == 0 {
			t.Errorf("%s lists no responses", key)
		}

		// Every /api/v1 route but the document itself needs the bearer token.
		_, path, _ := strings.Cut(key, " ")
		wantAuth := strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json"
		security := doc.Security
		if op.Security != nil {
			security = *op.Security
		}
		hasBearer := slices.ContainsFunc(security, func(req map[string][]string) bool {
			_, ok := req["bearerAuth"]
			return ok
		})
		switch {
		case wantAuth && !hasBearer:
			t.Errorf("%s does not require the bearer token", key)
		case !wantAuth && len(security) > 0:
			t.Errorf("%s is public but lists security %v", key, security)
		}
		if wantAuth {
			if _, ok := op.Responses["401"]; !ok {
				t.Errorf("%s requires a token but lists no 401", key)
			}
		}

		// Every {name} in the path is declared as a path parameter.
		declared := map[string]bool{}
		for _, p := range op.Parameters {
			p = resolveOpenAPIParameter(t, doc, p)
			if name, _ := p["name"].(string); p["in"] == "path" {
				declared[name] = true
			}
		}
		for _, m := range openAPIParamName.FindAllStringSubmatch(path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s does not declare path parameter %q", key, m[1])
			}
		}
	}

	// Every $ref points at something in the document.
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	walkOpenAPIRefs(tree, func(ref string) {
		if resolveOpenAPIPointer(tree, ref) == nil {
			t.Errorf("$ref %q does not resolve", ref)
		}
	})
}

func resolveOpenAPIParameter(t *testing.T, doc openAPIDocument, p map[string]any) map[string]any {
	t.Helper()
	ref, ok := p["$ref"].(string)
	if !ok {
		return p
	}
	name, ok := strings.CutPrefix(ref, "#/components/parameters/")
	if !ok {
		t.Fatalf("parameter $ref %q is not under #/components/parameters", ref)
	}
	resolved, _ := doc.Components.Parameters[name].(map[string]any)
	if resolved == nil {
		t.Fatalf("parameter $ref %q does not resolve", ref)
	}
	return resolved
}

func walkOpenAPIRefs(v any, visit func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				visit(s)
				continue
			}
			walkOpenAPIRefs(e, visit)
		}
	case []any:
		for _, e := range x {
			walkOpenAPIRefs(e, visit)
		}
	}
}

// resolveOpenAPIPointer follows a local JSON pointer such as
// "#/components/schemas/Task"; nil means it leads nowhere.
func resolveOpenAPIPointer(tree any, ref string) any {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	cur := tree
	for _, tok := range strings.Split(pointer, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[tok]; !ok {
			return nil
		}
	}
	return cur
}

func TestOpenAPIServedByRouter(t *testing.T) {
	raw, _ := readOpenAPI(t)
	router := New(nil, nil, nil, DefaultConfig()).Router()

	w := httptest.NewRecorder()
	router.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))

	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body: %s", w.Code, w.Body.String())
	}
	mediaType, _, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if err != nil || mediaType != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", w.Header().Get("Content-Type"))
	}
	if !bytes.Equal(w.Body.Bytes(), raw) {
		t.Errorf("served document (%d bytes) differs from OpenAPI() (%d bytes)", w.Body.Len(), len(raw))
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(openAPIParts) == 0 && !bytes.Equal(raw, file) {
		t.Error("OpenAPI() differs from openapi.json")
	}
}

// TestMergeOpenAPI: a part adds path items and components, and may
// neither redefine one nor add anything else.
func TestMergeOpenAPI(t *testing.T) {
	base := []byte(`{"openapi": "3.0.3", "paths": {"/a": {}}, "components": {"schemas": {"A": {"type": "string"}}}}`)
	got, err := mergeOpenAPI(base, []byte(`{"paths": {"/b": {"get": {}}}, "components": {"schemas": {"B": {"type": "integer"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPIDocument
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatalf("merged: %v\n%s", err, got)
	}
	if doc.OpenAPI != "3.0.3" || len(doc.Paths) != 2 || doc.Paths["/b"]["get"] == nil || len(doc.Components.Schemas) != 2 || doc.Components.Schemas["B"] == nil {
		t.Errorf("merged document = %s", got)
	}
	for _, bad := range []string{`{"paths": {"/a": {}}}`, `{"components": {"schemas": {"A": {}}}}`, `{"info": {}}`,
		`{"components": {"examples": {"X": {}}}}`, `{"paths": []}`, `not json`} {
		if _, err := mergeOpenAPI(base, []byte(bad)); err == nil {
			t.Errorf("part %s was merged", bad)
		}
	}
}

// TestOpenAPIDocumentsEveryKind: every process descriptor's kind has its
// start route documented, POST /api/v1/processes/<kind>, with a request
// body schema of its own whose properties are the descriptor's start form:
// the same field names (nested objects as dotted names), types, choices,
// length limits and required fields; a rows field's columns likewise, and
// its bounds on the rows.
func TestOpenAPIDocumentsEveryKind(t *testing.T) {
	raw, _ := readOpenAPI(t)
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	for _, d := range workflows.Descriptors() {
		if d.Internal {
			continue // no start route
		}
		t.Run(d.Kind, func(t *testing.T) {
			pointer := "#/paths/" + strings.ReplaceAll("/api/v1/processes/"+d.Kind, "/", "~1") +
				"/post/requestBody/content/application~1json/schema"
			schema, _ := resolveOpenAPIPointer(tree, pointer).(map[string]any)
			if schema == nil {
				t.Fatalf("openapi.json documents no request body schema for POST /api/v1/processes/%s", d.Kind)
			}
			for _, m := range startSchemaMismatches(t, tree, schema, d.StartForm) {
				t.Error(m)
			}
		})
	}
}

// TestStartSchemaRows: a start form's rows field is documented as an
// array of objects whose properties are its columns, with minItems and
// maxItems its bounds (maxItems 100 when the form sets none).
func TestStartSchemaRows(t *testing.T) {
	form := zhidu.Form{Fields: []zhidu.Field{
		{Name: "reason", Type: zhidu.FieldText, Required: true, MaxLength: 200},
		{Name: "items", Type: zhidu.FieldRows, Required: true, MinRows: 1, Columns: []zhidu.Field{
			{Name: "name", Type: zhidu.FieldText, Required: true, MaxLength: 100},
			{Name: "quantity", Type: zhidu.FieldNumber, Required: true},
			{Name: "needed_by", Type: zhidu.FieldDate},
			{Name: "unit", Type: zhidu.FieldChoice, Choices: []string{"pcs", "kg"}},
			{Name: "urgent", Type: zhidu.FieldBoolean},
		}},
	}}
	body := func(edit func(items, row map[string]any)) map[string]any {
		row := map[string]any{"type": "object", "additionalProperties": false, "required": []any{"name", "quantity"},
			"properties": map[string]any{
				"name":      map[string]any{"type": "string", "maxLength": 100.0},
				"quantity":  map[string]any{"type": "number"},
				"needed_by": map[string]any{"type": "string", "format": "date"},
				"unit":      map[string]any{"$ref": "#/components/schemas/Unit"},
				"urgent":    map[string]any{"type": "boolean"},
			}}
		items := map[string]any{"type": "array", "minItems": 1.0, "maxItems": 100.0, "items": map[string]any{"$ref": "#/components/schemas/Item"}}
		if edit != nil {
			edit(items, row)
		}
		return map[string]any{"components": map[string]any{"schemas": map[string]any{
			"Unit": map[string]any{"type": "string", "enum": []any{"pcs", "kg"}},
			"Item": row,
			"Body": map[string]any{"type": "object", "additionalProperties": false, "required": []any{"reason", "items"}, "properties": map[string]any{
				"reason": map[string]any{"type": "string", "maxLength": 200.0},
				"items":  items,
			}},
		}}}
	}
	check := func(tree map[string]any) []string {
		schema := resolveOpenAPIPointer(tree, "#/components/schemas/Body").(map[string]any)
		return startSchemaMismatches(t, tree, schema, form)
	}
	if m := check(body(nil)); len(m) != 0 {
		t.Errorf("the schema that fits the form: %v", m)
	}
	for name, edit := range map[string]func(items, row map[string]any){
		"no maxItems":           func(items, _ map[string]any) { delete(items, "maxItems") },
		"other minItems":        func(items, _ map[string]any) { items["minItems"] = 2.0 },
		"a column not required": func(_, row map[string]any) { row["required"] = []any{"name"} },
		"a column's type": func(_, row map[string]any) {
			row["properties"].(map[string]any)["quantity"] = map[string]any{"type": "string"}
		},
		"a column's length": func(_, row map[string]any) {
			row["properties"].(map[string]any)["name"] = map[string]any{"type": "string"}
		},
		"an extra column": func(_, row map[string]any) {
			row["properties"].(map[string]any)["colour"] = map[string]any{"type": "string"}
		},
		"a missing column":  func(_, row map[string]any) { delete(row["properties"].(map[string]any), "urgent") },
		"a list of strings": func(items, _ map[string]any) { items["items"] = map[string]any{"type": "string"} },
	} {
		if m := check(body(edit)); len(m) == 0 {
			t.Errorf("%s: the schema passes for the form", name)
		}
	}
}

// startSchemaMismatches compares a documented start body schema with a
// start form and says what differs.
func startSchemaMismatches(t *testing.T, tree, schema map[string]any, form zhidu.Form) []string {
	t.Helper()
	got := map[string]zhidu.Field{}
	var out []string
	flattenStartSchema(t, tree, schema, "", true, got, &out)
	want := map[string]zhidu.Field{}
	for _, f := range form.Fields {
		want[f.Name] = documented(f)
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[name]; !ok {
			out = append(out, fmt.Sprintf("start form field %q is not in the documented body", name))
		} else if !reflect.DeepEqual(g, want[name]) {
			out = append(out, fmt.Sprintf("field %q documented as %+v, start form has %+v", name, g, want[name]))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			out = append(out, fmt.Sprintf("documented body property %q is not a start form field", name))
		}
	}
	return out
}

// documented is what a body schema can say of a start form field: its
// name, type, required mark, choices and length limit; for a rows field
// its columns (by name) and its bounds on the rows.
func documented(f zhidu.Field) zhidu.Field {
	out := zhidu.Field{Name: f.Name, Type: f.Type, Required: f.Required, Choices: f.Choices, MaxLength: f.MaxLength}
	if f.Type == zhidu.FieldRows {
		out.MinRows, out.MaxRows = f.MinRows, f.MaxRows
		if out.MaxRows == 0 {
			out.MaxRows = zhidu.DefaultMaxRows
		}
		for _, c := range f.Columns {
			out.Columns = append(out.Columns, documented(c))
		}
		slices.SortFunc(out.Columns, func(a, b zhidu.Field) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// flattenStartSchema records the leaves of a start body schema as form
// fields, nested objects' properties under dotted names; required means
// required all the way down. An array of objects is a rows field, its
// items' properties its columns. What no start body may be is added to
// bad.
func flattenStartSchema(t *testing.T, tree any, schema map[string]any, prefix string, required bool, out map[string]zhidu.Field, bad *[]string) {
	t.Helper()
	schema = resolveStartSchema(t, tree, schema)
	if props, ok := schema["properties"].(map[string]any); ok && schema["type"] == "object" {
		if schema["additionalProperties"] != false {
			*bad = append(*bad, fmt.Sprintf("%q: a start body refuses unknown fields: additionalProperties must be false", prefix))
		}
		needed, _ := schema["required"].([]any)
		for name, p := range props {
			flattenStartSchema(t, tree, p.(map[string]any), prefix+name+".", required && slices.Contains(needed, any(name)), out, bad)
		}
		return
	}
	name := strings.TrimSuffix(prefix, ".")
	out[name] = startLeaf(t, tree, schema, name, required, bad)
}

// startLeaf is the form field a schema that is no nested object
// describes.
func startLeaf(t *testing.T, tree any, schema map[string]any, name string, required bool, bad *[]string) zhidu.Field {
	t.Helper()
	f := zhidu.Field{Name: name, Required: required}
	if n, ok := schema["maxLength"].(float64); ok {
		f.MaxLength = int(n)
	}
	enum, _ := schema["enum"].([]any)
	for _, c := range enum {
		f.Choices = append(f.Choices, c.(string))
	}
	items, _ := schema["items"].(map[string]any)
	if items != nil {
		items = resolveStartSchema(t, tree, items)
	}
	switch {
	case f.Choices != nil:
		f.Type = zhidu.FieldChoice
	case schema["type"] == "string" && schema["format"] == "date":
		f.Type = zhidu.FieldDate
	case schema["type"] == "string":
		f.Type = zhidu.FieldText
	case schema["type"] == "number" || schema["type"] == "integer":
		f.Type = zhidu.FieldNumber
	case schema["type"] == "boolean":
		f.Type = zhidu.FieldBoolean
	case schema["type"] == "array" && items["type"] == "object":
		f.Type = zhidu.FieldRows
		if n, ok := schema["minItems"].(float64); ok {
			f.MinRows = int(n)
		}
		if n, ok := schema["maxItems"].(float64); ok {
			f.MaxRows = int(n)
		}
		if items["additionalProperties"] != false {
			*bad = append(*bad, fmt.Sprintf("%q: a row refuses unknown cells: additionalProperties must be false", name))
		}
		needed, _ := items["required"].([]any)
		props, _ := items["properties"].(map[string]any)
		for _, col := range slices.Sorted(maps.Keys(props)) {
			c := resolveStartSchema(t, tree, props[col].(map[string]any))
			f.Columns = append(f.Columns, startLeaf(t, tree, c, col, slices.Contains(needed, any(col)), bad))
		}
	case schema["type"] == "array":
		f.Type = zhidu.FieldList
	default:
		*bad = append(*bad, fmt.Sprintf("%q: a schema no start form field type describes: %v", name, schema))
	}
	return f
}

// resolveStartSchema follows $ref and a one-element allOf (how a described
// property refers to a shared schema).
func resolveStartSchema(t *testing.T, tree any, schema map[string]any) map[string]any {
	t.Helper()
	for {
		if all, ok := schema["allOf"].([]any); ok && len(all) == 1 {
			schema = all[0].(map[string]any)
			continue
		}
		ref, ok := schema["$ref"].(string)
		if !ok {
			return schema
		}
		if schema, ok = resolveOpenAPIPointer(tree, ref).(map[string]any); !ok {
			t.Fatalf("$ref %q does not resolve to a schema", ref)
		}
	}
}

// TestOpenAPIRegisterFilters: the register description's filter kinds are
// zhidu's, and listRegister names every query parameter of the purchase
// register's filters.
func TestOpenAPIRegisterFilters(t *testing.T) {
	raw, _ := readOpenAPI(t)
	var tree map[string]any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	var want []any
	for _, k := range zhidu.FilterKinds() {
		want = append(want, string(k))
	}
	if got := resolveOpenAPIPointer(tree, "#/components/schemas/RegisterFilter/properties/kind/enum"); !reflect.DeepEqual(got, want) {
		t.Errorf("RegisterFilter kinds = %v, want %v", got, want)
	}
	desc, _ := resolveOpenAPIPointer(tree, "#/paths/~1api~1v1~1registers~1{kind}/get/description").(string)
	d, _ := workflows.Lookup(workflows.KindPurchase)
	for _, c := range d.Register.Columns {
		if c.Filter == nil {
			continue
		}
		for _, p := range c.Filter.Parameters(c) {
			if !strings.Contains(desc, "`"+p+"`") {
				t.Errorf("listRegister does not name the purchase register's parameter %s", p)
			}
		}
	}
}
