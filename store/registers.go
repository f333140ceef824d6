package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// Registers (登记表) are read and written here for every kind alike: a
// process's entry is one row of register_entries (migration 017), what its
// steps recorded a JSON document, and a register's rows join the processes
// of the kind with their entries as the kind's zhidu.Register describes.

const sqlRecordRegister = `
INSERT INTO register_entries AS e (process_id, fields, closed_at, retain_until, kept, updated_at)
VALUES ($1, jsonb_strip_nulls($2::jsonb), $3::timestamptz, CASE WHEN COALESCE($5::boolean, false) THEN NULL ELSE $4::timestamptz END,
    COALESCE($5, false), $6::timestamptz)
ON CONFLICT (process_id) DO UPDATE SET
    fields = jsonb_strip_nulls(e.fields || $2::jsonb),
    closed_at = COALESCE($3, e.closed_at),
    kept = COALESCE($5, e.kept),
    retain_until = CASE WHEN COALESCE($5, e.kept) THEN NULL ELSE COALESCE($4, e.retain_until) END,
    updated_at = $6`

// RecordRegister adds a step's record to its process's register entry
// (see zhidu.RegisterRecord): one statement, and re-applying the same
// record changes nothing, so retries are safe.
func (s *Store) RecordRegister(ctx context.Context, r zhidu.RegisterRecord) error {
	fields := []byte("{}")
	if len(r.Fields) > 0 {
		var err error
		if fields, err = json.Marshal(r.Fields); err != nil {
			return zhidu.Invalid(zhidu.Plain("register entry of "+r.ProcessID), map[string]zhidu.Message{"fields": zhidu.Plain(err.Error())})
		}
	}
	b := &pgx.Batch{}
	if p := r.Process; p != nil {
		b.Queue(sqlEnsureProcess, p.ID, p.RunID, p.Kind, p.Title, p.Level, p.Department, p.StartedBy, r.At, nonNil(p.Barred),
			departments(p.Readers), nonNil(p.Members))
	}
	b.Queue(sqlRecordRegister, r.ProcessID, fields, r.ClosedAt, r.RetainUntil, r.KeepForGood, r.At)
	return mapErr(s.send(ctx, b), "register entry of "+r.ProcessID)
}

// RegisterFilter selects register rows by column name (the query
// parameters a column's zhidu.Filter reads, as the API parsed them). Zero
// fields match everything.
type RegisterFilter struct {
	Equal  map[string]string    // exact and choice filters
	AnyOf  map[string][]string  // any_of filters
	After  map[string]time.Time // range filters: at or after
	Before map[string]time.Time // range filters: before
	Is     map[string]bool      // bool filters
	Number map[string]float64   // number filters: equal
	Min    map[string]float64   // number range filters: at least
	Max    map[string]float64   // number range filters: below
	Cursor string
	Limit  int // 0 with All: every row
	All    bool
}

// RegisterRow is one row of a register: its columns' values, in order. It
// marshals as a JSON object with the columns' names as keys, in that
// order.
type RegisterRow struct {
	ProcessID string
	columns   []zhidu.Column
	values    []any
}

// Value returns the value of a column: a string (text, state), *bool,
// *float64, *time.Time or zhidu.Level; nil for an unknown column.
func (r RegisterRow) Value(name string) any {
	for i, c := range r.columns {
		if c.Name == name {
			return deref(r.values[i])
		}
	}
	return nil
}

func deref(v any) any {
	switch v := v.(type) {
	case *string:
		return *v
	case *zhidu.Level:
		return *v
	case **bool:
		return *v
	case **float64:
		return *v
	case **time.Time:
		return *v
	}
	return v
}

// MarshalJSON writes the row's columns in order; an empty text of an
// OmitEmpty column is left out.
func (r RegisterRow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for i, c := range r.columns {
		v := deref(r.values[i])
		if s, ok := v.(string); ok && s == "" && c.OmitEmpty {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(c.Name)
		j, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("register column %s: %w", c.Name, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(j)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// registerQuery builds a register's SQL from its description.
type registerQuery struct {
	*query
	reg *zhidu.Register
}

// sqlTypes are the SQL types a text from a JSON document is cast to.
var sqlTypes = map[zhidu.ColumnType]string{zhidu.ColumnText: "text", zhidu.ColumnState: "text", zhidu.ColumnBool: "boolean",
	zhidu.ColumnNumber: "numeric", zhidu.ColumnTime: "timestamptz"}

// source is the SQL of one of a column's sources; $1 is now.
func (q registerQuery) source(t zhidu.ColumnType, s zhidu.Source) string {
	var doc string
	switch {
	case s.Fact == zhidu.FactOverdue:
		return "EXISTS (SELECT 1 FROM tasks ot WHERE ot.process_id = p.id AND ot.state IN ('open', 'claimed') AND ot.due_at < $1)"
	case s.Fact == zhidu.FactClosedAt || s.Fact == zhidu.FactRetainUntil:
		return "e." + string(s.Fact)
	case s.Fact != "":
		return "p." + string(s.Fact)
	case s.Input != "":
		doc = "p.input #>> '{" + strings.ReplaceAll(s.Input, ".", ",") + "}'"
	default:
		doc = "e.fields ->> '" + s.Field + "'"
	}
	if t == zhidu.ColumnText || t == zhidu.ColumnState {
		return "(" + doc + ")"
	}
	return "(" + doc + ")::" + sqlTypes[t]
}

// column is the SQL of a column's value: its sources in turn, then its
// default.
func (q registerQuery) column(c zhidu.Column) string {
	var parts []string
	for _, s := range c.From {
		parts = append(parts, q.source(c.Type, s))
	}
	switch {
	case c.Default != nil:
		parts = append(parts, q.param(c.Default)+"::"+sqlTypes[c.Type])
	case c.Type == zhidu.ColumnText:
		parts = append(parts, "''")
	}
	expr := parts[0]
	if len(parts) > 1 {
		expr = "COALESCE(" + strings.Join(parts, ", ") + ")"
	}
	if c.Type == zhidu.ColumnNumber {
		if c.Decimals > 0 {
			expr = fmt.Sprintf("round(%s, %d)", expr, c.Decimals)
		}
		expr += "::float8"
	}
	return expr
}

// filter adds the conditions of f on column c.
func (q registerQuery) filter(c zhidu.Column, f RegisterFilter) {
	if v, ok := f.Equal[c.Name]; ok {
		if len(c.From) == 1 && c.From[0].Field != "" && c.Default == nil {
			// a recorded field: the GIN index on the documents answers
			doc, _ := json.Marshal(map[string]string{c.From[0].Field: v})
			q.where("e.fields @> ?::jsonb", string(doc))
		} else {
			q.where(q.column(c)+" = ?", v)
		}
	}
	if vs, ok := f.AnyOf[c.Name]; ok {
		q.where(q.column(c)+" = ANY(?::text[])", vs)
	}
	if t, ok := f.After[c.Name]; ok {
		q.where(q.column(c)+" >= ?", t)
	}
	if t, ok := f.Before[c.Name]; ok {
		q.where(q.column(c)+" < ?", t)
	}
	if b, ok := f.Is[c.Name]; ok {
		cond := "(" + q.column(c) + ")"
		if !b {
			cond = "NOT " + cond
		}
		q.where(cond)
	}
	// a number column is float8, rounded to its decimals (column): the
	// number filters compare what the row shows
	if x, ok := f.Number[c.Name]; ok {
		q.where(q.column(c)+" = ?::float8", x)
	}
	if x, ok := f.Min[c.Name]; ok {
		q.where(q.column(c)+" >= ?::float8", x)
	}
	if x, ok := f.Max[c.Name]; ok {
		q.where(q.column(c)+" < ?::float8", x)
	}
}

// checkFilter refuses conditions on columns the register does not let
// filter that way: the API builds filters from the description, so this
// is a programming error.
func checkFilter(reg *zhidu.Register, f RegisterFilter) error {
	kinds := map[string][]zhidu.FilterKind{}
	for k := range f.Equal {
		kinds[k] = append(kinds[k], zhidu.FilterExact)
	}
	for k := range f.AnyOf {
		kinds[k] = append(kinds[k], zhidu.FilterAnyOf)
	}
	for k := range f.After {
		kinds[k] = append(kinds[k], zhidu.FilterRange)
	}
	for k := range f.Before {
		kinds[k] = append(kinds[k], zhidu.FilterRange)
	}
	for k := range f.Is {
		kinds[k] = append(kinds[k], zhidu.FilterBool)
	}
	for k := range f.Number {
		kinds[k] = append(kinds[k], zhidu.FilterNumber)
	}
	for _, m := range []map[string]float64{f.Min, f.Max} {
		for k := range m {
			kinds[k] = append(kinds[k], zhidu.FilterNumberRange)
		}
	}
	for name, ks := range kinds {
		c, ok := reg.Column(name)
		for _, k := range ks {
			if !ok || c.Filter == nil || c.Filter.Kind != k && !(k == zhidu.FilterExact && c.Filter.Kind == zhidu.FilterChoice) {
				return fmt.Errorf("register filter: column %q has no %s filter", name, k)
			}
		}
	}
	return nil
}

// Register lists the rows of a kind's register that the viewer may read
// (the processes' read rule), in the register's order; now decides which
// tasks are overdue.
func (s *Store) Register(ctx context.Context, kind string, reg *zhidu.Register, v Viewer, f RegisterFilter, now time.Time) (Page[RegisterRow], error) {
	if err := reg.Validate(); err != nil {
		return Page[RegisterRow]{}, fmt.Errorf("register of %s: %w", kind, err)
	}
	if err := checkFilter(reg, f); err != nil {
		return Page[RegisterRow]{}, err
	}
	sortCol, desc := reg.SortColumn()
	key := sortKey{expr: registerQuery{}.source(sortCol.Type, sortCol.From[0]), cast: "timestamptz"}
	if sortCol.Type == zhidu.ColumnLevel {
		key.cast = "smallint"
	}
	build := func(count bool) registerQuery {
		q := newRegisterQuery(reg, now)
		if count {
			q.sql.WriteString("SELECT count(*)")
		} else {
			q.selectRow(key.expr + "::text")
		}
		q.from(kind, v)
		for _, c := range reg.Columns {
			q.filter(c, f)
		}
		return q
	}
	q := build(false)
	if err := q.keyset(key, desc, "p.id", f.Cursor); err != nil {
		return Page[RegisterRow]{}, err
	}
	limit := clampLimit(f.Limit)
	if f.All {
		limit = 1 << 30
	}
	q.add(" LIMIT ?", limit+1)
	scan := func(row pgx.Row, extra ...any) (RegisterRow, error) { return scanRegisterRow(row, reg, extra...) }
	return fetchPage(ctx, s, "register of "+kind, build(true).query, q.query, false, limit, scan,
		func(r RegisterRow) string { return r.ProcessID })
}

// newRegisterQuery starts a register's SQL; $1 is now, for the overdue
// fact.
func newRegisterQuery(reg *zhidu.Register, now time.Time) registerQuery {
	return registerQuery{query: &query{args: []any{now}}, reg: reg}
}

// selectRow selects a row: the process ID, the columns, then extra.
func (q registerQuery) selectRow(extra ...string) {
	q.sql.WriteString("SELECT p.id")
	for _, c := range q.reg.Columns {
		q.sql.WriteString(", " + q.column(c))
	}
	for _, x := range extra {
		q.sql.WriteString(", " + x)
	}
}

// from reads the kind's processes the viewer may read, with their
// entries.
func (q registerQuery) from(kind string, v Viewer) {
	q.sql.WriteString(" FROM processes p LEFT JOIN register_entries e ON e.process_id = p.id WHERE $1::timestamptz IS NOT NULL")
	q.where("p.kind = ?", kind)
	q.sql.WriteString(" AND " + q.readableProcess(v, "p"))
}

// scanRegisterRow scans what selectRow selects, then extra.
func scanRegisterRow(row pgx.Row, reg *zhidu.Register, extra ...any) (RegisterRow, error) {
	r := RegisterRow{columns: reg.Columns, values: make([]any, len(reg.Columns))}
	dest := make([]any, 0, len(reg.Columns)+1+len(extra))
	dest = append(dest, &r.ProcessID)
	for i, c := range reg.Columns {
		switch c.Type {
		case zhidu.ColumnText, zhidu.ColumnState:
			r.values[i] = new(string)
		case zhidu.ColumnBool:
			r.values[i] = new(*bool)
		case zhidu.ColumnNumber:
			r.values[i] = new(*float64)
		case zhidu.ColumnTime:
			r.values[i] = new(*time.Time)
		case zhidu.ColumnLevel:
			r.values[i] = new(zhidu.Level)
		}
		dest = append(dest, r.values[i])
	}
	return r, row.Scan(append(dest, extra...)...)
}

// RegisterEntry is one process's register entry as its page shows it: its
// row, and its details (zhidu.Register.Details) by name.
type RegisterEntry struct {
	Row     RegisterRow             `json:"row"`
	Details map[string][]DetailLine `json:"details"`
}

// DetailLine is one object of a detail: the keys its columns name, each
// as recorded (null when the object has none).
type DetailLine map[string]any

// RegisterEntry returns a process's row of its kind's register, with its
// details, if the viewer may read the process (the register's read rule);
// else, and for a process of another kind, an error of code not_found.
func (s *Store) RegisterEntry(ctx context.Context, kind string, reg *zhidu.Register, v Viewer, id string, now time.Time) (RegisterEntry, error) {
	if err := reg.Validate(); err != nil {
		return RegisterEntry{}, fmt.Errorf("register of %s: %w", kind, err)
	}
	q := newRegisterQuery(reg, now)
	var extra []string
	for _, d := range reg.Details {
		extra = append(extra, "e.fields -> "+q.param(d.Name))
	}
	q.selectRow(extra...)
	q.from(kind, v)
	q.where("p.id = ?", id)
	raw := make([][]byte, len(reg.Details))
	dest := make([]any, len(raw))
	for i := range raw {
		dest[i] = &raw[i]
	}
	row, err := scanRegisterRow(s.Pool.QueryRow(ctx, q.sql.String(), q.args...), reg, dest...)
	if err != nil {
		return RegisterEntry{}, mapErr(err, "process "+id)
	}
	e := RegisterEntry{Row: row, Details: map[string][]DetailLine{}}
	for i, d := range reg.Details {
		e.Details[d.Name] = detailLines(d, raw[i])
	}
	return e, nil
}

// detailLines picks a detail's columns out of what was recorded: objects
// of a list, each with the keys the columns name; anything else recorded
// is no line.
func detailLines(d zhidu.Detail, raw []byte) []DetailLine {
	lines := []DetailLine{}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return lines
	}
	for _, it := range items {
		var obj map[string]any
		if json.Unmarshal(it, &obj) != nil || obj == nil {
			continue
		}
		line := DetailLine{}
		for _, c := range d.Columns {
			line[c.Name] = obj[c.Name]
		}
		lines = append(lines, line)
	}
	return lines
}

// WriteRegisterCSV writes register rows as CSV: the header line (the CSV
// columns' names), then one line per row. Times are RFC 3339 in UTC to
// the second, numbers have the column's decimals, unknown values are
// empty.
func WriteRegisterCSV(w io.Writer, reg *zhidu.Register, rows []RegisterRow) error {
	cols := reg.CSVColumns()
	cw := NewCSVWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	line := make([]string, len(cols))
	for _, r := range rows {
		for i, c := range cols {
			line[i] = csvValue(c, r.Value(c.Name))
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	return cw.Flush()
}

func csvValue(c zhidu.Column, v any) string {
	switch v := v.(type) {
	case string:
		return v
	case zhidu.Level:
		return v.String()
	case *bool:
		if v != nil {
			return strconv.FormatBool(*v)
		}
	case *float64:
		if v != nil {
			prec := -1
			if c.Decimals > 0 {
				prec = c.Decimals
			}
			return strconv.FormatFloat(*v, 'f', prec, 64)
		}
	case *time.Time:
		if v != nil {
			return v.UTC().Format(time.RFC3339)
		}
	}
	return ""
}
