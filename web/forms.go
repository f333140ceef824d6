package web

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/workflows"
)

// fieldPrefix namespaces form fields in posted forms, so a field called
// "csrf" or "outcome" can never collide with the page's own inputs.
const fieldPrefix = "f."

// fieldView is one input of a rendered form, or one cell of a rows
// field's table.
type fieldView struct {
	Name        string // the posted name
	ID          string
	Label       string
	Type        zhidu.FieldType
	Required    bool
	RequiredFor string // outcomes that make it required, labelled
	Multiline   bool
	MaxLength   int
	Value       string // what was entered (list: one item per line)
	Checked     bool
	Choices     []choiceView
	Error       string // the API's message for this field, translated
	ErrorRaw    string // the API's message as sent
	Disabled    bool
	// A rows field: its columns, its rows (those entered, then blank ones
	// to fill in without a script), a blank row the script copies to add
	// one (its names hold rowMark for the row's number) and the API's
	// messages about the field that no row or cell shown can hold.
	Columns []columnView
	Rows    []rowView
	NewRow  rowView
	MaxRows int
	More    []string
}

type choiceView struct {
	Value, Label string
	Selected     bool
}

// columnView heads a column of a rows field's table.
type columnView struct {
	Label    string
	Required bool
}

// rowView is one row of a rows field's table: a cell per column, and the
// API's message about the row as a whole.
type rowView struct {
	Cells     []fieldView
	Error     string
	ErrorRaw  string
	Removable bool
}

// rowMark stands for the row number in the names of the blank row the
// script copies; a posted name holding it is no row.
const rowMark = "__row__"

// blankRows are the blank rows a rows field's table offers below the rows
// entered, so that the form works without the script.
const blankRows = 3

// formView is a rendered form: its fields, the outcome buttons and any
// message not tied to one field.
type formView struct {
	Fields   []fieldView
	Outcomes []choiceView
	Error    string
}

// buildForm renders a form definition with the entered values and the
// API's field errors (keyed as the API names them: prefix+field name; a
// rows field's cells prefix+zhidu.RowPath); names label choices the
// catalogue does not (nil: none).
func buildForm(lang string, f zhidu.Form, values map[string]any, errs map[string]zhidu.Message, errPrefix string, disabled bool,
	names choiceNames) formView {
	var v formView
	for _, fd := range f.Fields {
		val, present := values[fd.Name]
		fv := inputView(lang, fd, fd.Name, val, present, errs, errPrefix, disabled, names)
		if len(fd.RequiredFor) > 0 {
			parts := make([]string, len(fd.RequiredFor))
			for i, o := range fd.RequiredFor {
				parts[i] = label(lang, "outcome", o)
			}
			fv.RequiredFor = strings.Join(parts, lang2sep(lang))
		}
		fv.Multiline = fd.Type == zhidu.FieldText && (fd.MaxLength == 0 || fd.MaxLength > 300)
		if fd.Type == zhidu.FieldRows {
			buildRows(lang, fd, &fv, val, errs, errPrefix, disabled, names)
		}
		v.Fields = append(v.Fields, fv)
	}
	for _, o := range f.Outcomes {
		v.Outcomes = append(v.Outcomes, choiceView{Value: o, Label: label(lang, "outcome", o)})
	}
	return v
}

// inputIDs turns a field's path into the id of its input:
// quotes[1].unit_price → quotes-1-unit_price.
var inputIDs = strings.NewReplacer(".", "-", "[", "-", "]", "")

// inputView renders one input, a field's or a cell's: path is its name
// in the data (quotes[1].unit_price for a cell) and in errs after
// errPrefix.
func inputView(lang string, fd zhidu.Field, path string, val any, present bool, errs map[string]zhidu.Message, errPrefix string, disabled bool,
	names choiceNames) fieldView {
	fv := fieldView{Name: fieldPrefix + path, ID: "f-" + inputIDs.Replace(path), Type: fd.Type,
		Label: fieldLabel(lang, fd), Required: fd.Required, MaxLength: fd.MaxLength, Disabled: disabled}
	switch fd.Type {
	case zhidu.FieldBoolean:
		fv.Checked, _ = val.(bool)
	case zhidu.FieldList:
		if items, ok := val.([]any); ok {
			lines := make([]string, 0, len(items))
			for _, it := range items {
				lines = append(lines, fmt.Sprint(it))
			}
			fv.Value = strings.Join(lines, "\n")
		}
	case zhidu.FieldRows:
	default:
		if present && val != nil {
			switch x := val.(type) {
			case float64:
				fv.Value = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				fv.Value = fmt.Sprint(x)
			}
		}
	}
	if fd.Type == zhidu.FieldChoice {
		fv.Choices = append(fv.Choices, choiceView{Value: "", Label: translate(lang, "form.choose"), Selected: fv.Value == ""})
		for _, ch := range fd.Choices {
			fv.Choices = append(fv.Choices, choiceView{Value: ch, Label: names.label(lang, fd.Name, ch), Selected: fv.Value == ch})
		}
	}
	if msg, ok := errs[errPrefix+path]; ok {
		fv.Error, fv.ErrorRaw = translateMessage(lang, msg), msg.String()
	}
	return fv
}

// buildRows renders a rows field's table: the rows entered, a few blank
// ones (at least MinRows in all, at most MaxRows) unless the form is
// disabled, each cell with the API's message for it. The API's messages
// about the field that no cell shown holds — a start body's decoder names
// a column without its row (items.unit_price) — are listed under the
// table, labelled with their column.
func buildRows(lang string, fd zhidu.Field, fv *fieldView, val any, errs map[string]zhidu.Message, errPrefix string, disabled bool,
	names choiceNames) {
	for _, c := range fd.Columns {
		fv.Columns = append(fv.Columns, columnView{Label: fieldLabel(lang, c), Required: c.Required})
	}
	fv.MaxRows = fd.MaxRows
	if fv.MaxRows == 0 {
		fv.MaxRows = zhidu.DefaultMaxRows
	}
	rows, _ := val.([]any)
	n := len(rows)
	if !disabled {
		n = max(min(n+blankRows, fv.MaxRows), fd.MinRows, n)
	}
	n = max(n, 1) // a disabled empty table still shows its columns
	shown := map[string]bool{}
	row := func(index string, r any) rowView {
		cells, _ := r.(map[string]any)
		rv := rowView{Removable: !disabled}
		for _, c := range fd.Columns {
			path := fd.Name + "[" + index + "]." + c.Name
			v, present := cells[c.Name]
			rv.Cells = append(rv.Cells, inputView(lang, c, path, v, present, errs, errPrefix, disabled, names))
			shown[errPrefix+path] = true
		}
		key := errPrefix + fd.Name + "[" + index + "]"
		if msg, ok := errs[key]; ok {
			rv.Error, rv.ErrorRaw = translateMessage(lang, msg), msg.String()
		}
		shown[key] = true
		return rv
	}
	for i := range n {
		var r any
		if i < len(rows) {
			r = rows[i]
		}
		fv.Rows = append(fv.Rows, row(strconv.Itoa(i), r))
	}
	fv.NewRow = row(rowMark, nil)
	field := errPrefix + fd.Name
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		rest, ok := strings.CutPrefix(k, field)
		if !ok || shown[k] || rest == "" || rest[0] != '.' && rest[0] != '[' {
			continue
		}
		text := translateMessage(lang, errs[k])
		col := rest[strings.LastIndexByte(rest, '.')+1:]
		if i := slices.IndexFunc(fd.Columns, func(c zhidu.Field) bool { return c.Name == col }); i >= 0 {
			text = translate(lang, "form.column_error", fieldLabel(lang, fd.Columns[i]), text)
		}
		fv.More = append(fv.More, text)
	}
}

// fieldLabel is a field's label in the language; start forms carry both.
func fieldLabel(lang string, fd zhidu.Field) string {
	if lang == "en" {
		return fd.Label.En
	}
	return fd.Label.Zh
}

// choiceLabel labels a choice: departments and levels by their names,
// other values from the catalogue's vocabulary.
func choiceLabel(lang, field, value string) string {
	switch {
	case strings.HasSuffix(field, "department"):
		return label(lang, "dept", value)
	case field == "level":
		return label(lang, "level", value)
	}
	return label(lang, "value", value)
}

// choiceNames label the values of choice fields that the catalogue's
// vocabulary does not know, by field (a rows field's column) and value:
// the suppliers a sourcing step offers by ID, by their names.
type choiceNames map[string]map[string]string

// label is a choice's label: its name, else the catalogue's (choiceLabel).
func (n choiceNames) label(lang, field, value string) string {
	if s, ok := n[field][value]; ok {
		return s
	}
	return choiceLabel(lang, field, value)
}

// parseForm turns posted values into the JSON data the API expects:
// numbers that parse become numbers (others are sent as typed, so the API
// says what is wrong), checkboxes become booleans, lists one item per
// line, a rows field's table a list of row objects; empty inputs are left
// out, so "required" is the API's to say.
func parseForm(f zhidu.Form, posted url.Values) map[string]any {
	data := map[string]any{}
	for _, fd := range f.Fields {
		if fd.Type == zhidu.FieldRows {
			if rows := parseRows(fd, posted); len(rows) > 0 {
				data[fd.Name] = rows
			}
			continue
		}
		if v, ok := parseValue(fd, posted.Get(fieldPrefix+fd.Name)); ok {
			data[fd.Name] = v
		}
	}
	return data
}

// parseValue reads one posted input; false for an empty one (a checkbox
// is never empty: unchecked, it is false).
func parseValue(fd zhidu.Field, raw string) (any, bool) {
	raw = strings.TrimSpace(raw)
	switch fd.Type {
	case zhidu.FieldBoolean:
		return raw != "", true
	case zhidu.FieldNumber:
		if raw == "" {
			return nil, false
		}
		if n, err := strconv.ParseFloat(raw, 64); err == nil {
			return n, true
		}
		return raw, true
	case zhidu.FieldList:
		var items []any
		for _, line := range strings.Split(raw, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		return items, len(items) > 0
	}
	if raw == "" {
		return nil, false
	}
	return strings.ReplaceAll(raw, "\r\n", "\n"), true
}

// parseRows reads a rows field's table, posted as one input per cell
// (f.quotes[0].supplier): the rows in the order of their numbers (a row
// removed in the browser leaves a gap), each an object of its non-empty
// cells; a blank row (nothing typed, no box ticked) is left out.
func parseRows(fd zhidu.Field, posted url.Values) []any {
	prefix := fieldPrefix + fd.Name + "["
	numbers := map[int]bool{}
	for key := range posted {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		idx, _, ok := strings.Cut(rest, "].")
		if n, err := strconv.Atoi(idx); ok && err == nil && n >= 0 && strconv.Itoa(n) == idx {
			numbers[n] = true
		}
	}
	var rows []any
	for _, n := range slices.Sorted(maps.Keys(numbers)) {
		row, blank := map[string]any{}, true
		for _, c := range fd.Columns {
			if v, ok := parseValue(c, posted.Get(prefix+strconv.Itoa(n)+"]."+c.Name)); ok {
				row[c.Name] = v
				blank = blank && v == false
			}
		}
		if !blank {
			rows = append(rows, row)
		}
	}
	return rows
}

// nest turns dotted field names ("complainant.name") into the nested
// objects a start body has.
func nest(flat map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range flat {
		m := out
		parts := strings.Split(k, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return out
}

// startKind is a process kind a user may try to start from the web.
type startKind struct {
	Kind string
	Form zhidu.Form
}

// startKinds are the process descriptors' start forms: the start bodies of
// POST /api/v1/processes/{kind}, which the API validates.
func startKinds() []startKind {
	var out []startKind
	for _, d := range workflows.Descriptors() {
		if !d.Internal {
			out = append(out, startKind{Kind: d.Kind, Form: d.StartForm})
		}
	}
	return out
}

// kindNames lists every process kind, for the kind filters.
func kindNames() []string {
	var out []string
	for _, d := range workflows.Descriptors() {
		out = append(out, d.Kind)
	}
	return out
}

// startFormOf is a kind's start form (none for an unknown kind).
func startFormOf(kind string) zhidu.Form {
	d, _ := workflows.Lookup(kind)
	return d.StartForm
}

func findStartKind(kind string) (startKind, bool) {
	d, ok := workflows.Lookup(kind)
	if !ok || d.Internal {
		return startKind{}, false
	}
	return startKind{Kind: d.Kind, Form: d.StartForm}, true
}
