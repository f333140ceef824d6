package zhidu

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Register describes a process's register (登记表, e.g. the complaint
// register): one row per process of the kind, whose columns come from the
// process, its start input and what its steps recorded (RegisterRecord).
// GET /api/v1/registers/{kind} serves it under the processes' read rule,
// with the filters its columns declare, paging and a CSV export; a
// process's descriptor declares it. The JSON form (in GET /process-kinds)
// is what a client needs to build the register's table and filters.
type Register struct {
	// Columns are a row's fields, in the order of its JSON object.
	Columns []Column `json:"columns"`
	// CSV names the columns of the CSV export, in the order of its header
	// line (which is these names); nil: every column, in order.
	CSV []string `json:"csv"`
	// File names the CSV export ("complaints.csv").
	File string `json:"file"`
	// Sort is the rows' order: a column's name, "-" first for descending;
	// ties are broken by the process ID, in the same direction. The
	// column's source must be the process's started_at or level.
	Sort string `json:"sort"`
	// Alias is a route of the register's own, /api/v1/<Alias>, kept for
	// clients from before registers were generic (the complaint's
	// "complaints"); new processes leave it empty.
	Alias string `json:"-"`
	// Details are lists of objects the steps record (RegisterRecord.Fields)
	// that a process's page shows as tables beside its row — a return's
	// reconciliation rounds —, served with the row by GET
	// /registers/{kind}/{id}; the register's rows and CSV leave them out.
	Details []Detail `json:"details,omitempty"`
}

// Detail is a list of objects recorded in a register entry under Name,
// shown as a table: one line per object, one column per key Columns
// name. What is recorded under Name that is not a list of objects is no
// line; keys Columns do not name are not shown.
type Detail struct {
	Name    string         `json:"name"`
	Label   Text           `json:"label"`
	Columns []DetailColumn `json:"columns"`
}

// DetailColumn is one key of a detail's objects: text, number, bool or
// time (RFC 3339), as recorded.
type DetailColumn struct {
	Name  string     `json:"name"`
	Label Text       `json:"label"`
	Type  ColumnType `json:"type"`
	// Choices are the values of a text key that holds a vocabulary, as
	// Column.Choices.
	Choices []string `json:"choices,omitempty"`
}

// ColumnType is the type of a register column's values.
type ColumnType string

// The column types. JSON and CSV show them as follows: text and state as
// strings; bool as true/false; number as a number (Decimals in the CSV);
// time as RFC 3339 (in the CSV in UTC, to the second); level as its name
// (secret). A value no source has is null in JSON and empty in the CSV,
// except text (the empty string) and columns with a Default.
const (
	ColumnText   ColumnType = "text"
	ColumnBool   ColumnType = "bool"
	ColumnNumber ColumnType = "number"
	ColumnTime   ColumnType = "time"
	ColumnLevel  ColumnType = "level" // FactLevel only
	ColumnState  ColumnType = "state" // FactState only: running, completed, cancelled, failed
)

// Column is one column of a register.
type Column struct {
	// Name is the key in a row's JSON object and the column's CSV header.
	Name  string     `json:"name"`
	Label Text       `json:"label"`
	Type  ColumnType `json:"type"`
	// From lists where the value comes from: the first source that has
	// one gives it (the category as triage corrected it, else as
	// registered).
	From []Source `json:"-"`
	// Default is the value when no source has one (a string for text, a
	// bool for bool): a complaint not yet triaged is at stage "triage".
	Default any `json:"-"`
	// OmitEmpty leaves an empty text out of the row's JSON object.
	OmitEmpty bool `json:"omit_empty,omitempty"`
	// Decimals rounds a number column to that many decimals (0: as is).
	Decimals int `json:"decimals,omitempty"`
	// Filter makes the column filterable; nil: not.
	Filter *Filter `json:"filter,omitempty"`
	// Choices are the values of a text column that holds a vocabulary
	// (an outcome, a stage), which a client labels; a choice or any_of
	// filter's choices say so too.
	Choices []string `json:"choices,omitempty"`
}

// Vocabulary returns the values of a column that holds a vocabulary, or
// nil for free text.
func (c Column) Vocabulary() []string {
	if c.Choices != nil {
		return c.Choices
	}
	if c.Filter != nil {
		return c.Filter.Choices
	}
	return nil
}

// Source is one place a column's value comes from; exactly one field is
// set.
type Source struct {
	// Fact is a fact of the process or of its register entry.
	Fact Fact
	// Input is a dotted path in the process's start input
	// ("complainant.name").
	Input string
	// Field is a field the process's steps record (RegisterRecord.Fields).
	Field string
}

// Fact is a fact of a process or of its register entry.
type Fact string

// The facts a register column can show.
const (
	FactID         Fact = "id"
	FactTitle      Fact = "title"
	FactState      Fact = "state"
	FactLevel      Fact = "level"
	FactDepartment Fact = "department"
	FactStartedAt  Fact = "started_at"
	FactStartedBy  Fact = "started_by"
	FactEndedAt    Fact = "ended_at"
	// FactOverdue is true while an open or claimed task of the process is
	// past its due time.
	FactOverdue Fact = "overdue"
	// FactClosedAt and FactRetainUntil are the register entry's retention
	// (RegisterRecord.ClosedAt, RetainUntil).
	FactClosedAt    Fact = "closed_at"
	FactRetainUntil Fact = "retain_until"
)

// factTypes are the types of the facts.
var factTypes = map[Fact]ColumnType{FactID: ColumnText, FactTitle: ColumnText, FactState: ColumnState, FactLevel: ColumnLevel,
	FactDepartment: ColumnText, FactStartedAt: ColumnTime, FactStartedBy: ColumnText, FactEndedAt: ColumnTime,
	FactOverdue: ColumnBool, FactClosedAt: ColumnTime, FactRetainUntil: ColumnTime}

// FilterKind is how a column is filtered.
type FilterKind string

// The filter kinds, with the query parameters they read (Param, or the
// column's name). The number kinds compare a column's value as a row shows
// it (rounded to its Decimals); a row whose value is unknown matches no
// number filter.
const (
	FilterExact  FilterKind = "exact"  // ?param=text: equal to it (at most MaxLength characters)
	FilterChoice FilterKind = "choice" // ?param=value: one of Choices
	FilterAnyOf  FilterKind = "any_of" // ?param=a,b: a comma-separated list of Choices, any of them
	FilterRange  FilterKind = "range"  // ?param_after=t&param_before=t: from t (inclusive) / before t; time columns
	FilterBool   FilterKind = "bool"   // ?param=true|false; bool columns
	FilterNumber FilterKind = "number" // ?param=n: equal to the number n; number columns
	// FilterNumberRange: ?param_min=n&param_max=m, at least n and below m
	// (min inclusive, max exclusive, as the approval matrix's amount bands);
	// number columns.
	FilterNumberRange FilterKind = "number_range"
)

// FilterKinds are the filter kinds, in the order above.
func FilterKinds() []FilterKind {
	return []FilterKind{FilterExact, FilterChoice, FilterAnyOf, FilterRange, FilterBool, FilterNumber, FilterNumberRange}
}

// Filter makes a column filterable.
type Filter struct {
	Kind FilterKind `json:"kind"`
	// Param is the query parameter (a range's: Param_after and
	// Param_before; a number range's: Param_min and Param_max); "": the
	// column's name.
	Param     string   `json:"param"`
	Choices   []string `json:"choices,omitempty"`
	MaxLength int      `json:"max_length,omitempty"`
}

// Parameter is the filter's query parameter for column c.
func (f Filter) Parameter(c Column) string {
	if f.Param != "" {
		return f.Param
	}
	return c.Name
}

// Parameters are the query parameters the filter reads for column c: a
// range's two ends, else Parameter.
func (f Filter) Parameters(c Column) []string {
	p := f.Parameter(c)
	switch f.Kind {
	case FilterRange:
		return []string{p + "_after", p + "_before"}
	case FilterNumberRange:
		return []string{p + "_min", p + "_max"}
	}
	return []string{p}
}

// Column finds a column by name.
func (r *Register) Column(name string) (Column, bool) {
	i := slices.IndexFunc(r.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return Column{}, false
	}
	return r.Columns[i], true
}

// CSVColumns are the columns of the CSV export, in order.
func (r *Register) CSVColumns() []Column {
	if r.CSV == nil {
		return r.Columns
	}
	out := make([]Column, 0, len(r.CSV))
	for _, n := range r.CSV {
		c, _ := r.Column(n)
		out = append(out, c)
	}
	return out
}

// SortColumn returns the sort column and whether it is descending.
func (r *Register) SortColumn() (Column, bool) {
	c, _ := r.Column(strings.TrimPrefix(r.Sort, "-"))
	return c, strings.HasPrefix(r.Sort, "-")
}

// names are the column names, input path elements and field names a
// register may use: they become JSON keys, CSV headers and SQL.
var names = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate reports the first thing wrong with the description.
func (r *Register) Validate() error {
	if len(r.Columns) == 0 {
		return fmt.Errorf("register has no columns")
	}
	if r.File == "" || strings.ContainsAny(r.File, "\"\\/\r\n") {
		return fmt.Errorf("register file name %q is empty or not a plain file name", r.File)
	}
	seen, params := map[string]bool{}, map[string]bool{"cursor": true, "limit": true, "format": true}
	for _, c := range r.Columns {
		if err := c.validate(); err != nil {
			return fmt.Errorf("register column %q: %w", c.Name, err)
		}
		if seen[c.Name] {
			return fmt.Errorf("register column %q twice", c.Name)
		}
		seen[c.Name] = true
		if c.Filter == nil {
			continue
		}
		for _, p := range c.Filter.Parameters(c) {
			if params[p] {
				return fmt.Errorf("register column %q: query parameter %q taken", c.Name, p)
			}
			params[p] = true
		}
	}
	for _, n := range r.CSV {
		if !seen[n] {
			return fmt.Errorf("register CSV names %q, which is no column", n)
		}
	}
	details := map[string]bool{}
	for _, d := range r.Details {
		if err := d.validate(); err != nil {
			return fmt.Errorf("register detail %q: %w", d.Name, err)
		}
		if details[d.Name] {
			return fmt.Errorf("register detail %q twice", d.Name)
		}
		details[d.Name] = true
	}
	s, _ := r.SortColumn()
	if len(s.From) != 1 || s.From[0].Fact != FactStartedAt && s.From[0].Fact != FactLevel {
		return fmt.Errorf("register sort %q: want a column of the process's started_at or level", r.Sort)
	}
	return nil
}

func (c Column) validate() error {
	if !names.MatchString(c.Name) {
		return fmt.Errorf("bad name")
	}
	if c.Label.Zh == "" || c.Label.En == "" {
		return fmt.Errorf("label missing")
	}
	if len(c.From) == 0 {
		return fmt.Errorf("no source")
	}
	switch c.Type {
	case ColumnText, ColumnBool, ColumnNumber, ColumnTime, ColumnLevel, ColumnState:
	default:
		return fmt.Errorf("unknown type %q", c.Type)
	}
	for _, s := range c.From {
		set := 0
		for _, v := range []string{string(s.Fact), s.Input, s.Field} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			return fmt.Errorf("a source sets %d of fact, input, field; want one", set)
		}
		switch {
		case s.Fact != "":
			t, ok := factTypes[s.Fact]
			if !ok {
				return fmt.Errorf("unknown fact %q", s.Fact)
			}
			if t != c.Type {
				return fmt.Errorf("fact %s is %s, not %s", s.Fact, t, c.Type)
			}
		case s.Input != "":
			for _, e := range strings.Split(s.Input, ".") {
				if !names.MatchString(e) {
					return fmt.Errorf("bad input path %q", s.Input)
				}
			}
		case !names.MatchString(s.Field):
			return fmt.Errorf("bad field name %q", s.Field)
		}
		if s.Fact == "" && (c.Type == ColumnLevel || c.Type == ColumnState) {
			return fmt.Errorf("a %s column shows the process's %s only", c.Type, c.Type)
		}
	}
	switch d := c.Default.(type) {
	case nil:
	case string:
		if c.Type != ColumnText {
			return fmt.Errorf("a text default for a %s column", c.Type)
		}
	case bool:
		if c.Type != ColumnBool {
			return fmt.Errorf("a bool default for a %s column", c.Type)
		}
	default:
		return fmt.Errorf("default %v: want a string or a bool", d)
	}
	if c.Choices != nil && (c.Type != ColumnText || len(c.Choices) == 0) {
		return fmt.Errorf("choices are for text columns, and not empty")
	}
	if c.OmitEmpty && c.Type != ColumnText {
		return fmt.Errorf("omit_empty is for text columns")
	}
	if c.Decimals < 0 || c.Decimals > 0 && c.Type != ColumnNumber {
		return fmt.Errorf("decimals are for number columns")
	}
	if c.Filter != nil {
		return c.Filter.validate(c)
	}
	return nil
}

func (d Detail) validate() error {
	if !names.MatchString(d.Name) {
		return fmt.Errorf("bad name")
	}
	if d.Label.Zh == "" || d.Label.En == "" {
		return fmt.Errorf("label missing")
	}
	if len(d.Columns) == 0 {
		return fmt.Errorf("no columns")
	}
	seen := map[string]bool{}
	for _, c := range d.Columns {
		switch {
		case !names.MatchString(c.Name):
			return fmt.Errorf("column %q: bad name", c.Name)
		case seen[c.Name]:
			return fmt.Errorf("column %q twice", c.Name)
		case c.Label.Zh == "" || c.Label.En == "":
			return fmt.Errorf("column %q: label missing", c.Name)
		case c.Type != ColumnText && c.Type != ColumnNumber && c.Type != ColumnBool && c.Type != ColumnTime:
			return fmt.Errorf("column %q: type %q: want text, number, bool or time", c.Name, c.Type)
		case c.Choices != nil && (c.Type != ColumnText || len(c.Choices) == 0):
			return fmt.Errorf("column %q: choices are for text columns, and not empty", c.Name)
		}
		seen[c.Name] = true
	}
	return nil
}

func (f Filter) validate(c Column) error {
	if f.Param != "" && !names.MatchString(f.Param) {
		return fmt.Errorf("bad filter parameter %q", f.Param)
	}
	want := map[FilterKind][]ColumnType{
		FilterExact:  {ColumnText},
		FilterChoice: {ColumnText, ColumnState},
		FilterAnyOf:  {ColumnText, ColumnState},
		FilterRange:  {ColumnTime},
		FilterBool:   {ColumnBool},
		FilterNumber: {ColumnNumber}, FilterNumberRange: {ColumnNumber},
	}
	types, ok := want[f.Kind]
	if !ok {
		return fmt.Errorf("unknown filter kind %q", f.Kind)
	}
	if !slices.Contains(types, c.Type) {
		return fmt.Errorf("a %s filter on a %s column", f.Kind, c.Type)
	}
	if (f.Kind == FilterChoice || f.Kind == FilterAnyOf) != (len(f.Choices) > 0) {
		return fmt.Errorf("choices are for choice and any_of filters, which need them")
	}
	if (f.Kind == FilterExact) != (f.MaxLength > 0) {
		return fmt.Errorf("max_length is for exact filters, which need it")
	}
	return nil
}
