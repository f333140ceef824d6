package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/zhidu/zhidu"
)

// query builds a SQL statement with numbered placeholders: "?" in each
// fragment becomes $n in order.
type query struct {
	sql  strings.Builder
	args []any
}

func newQuery(base string) *query {
	q := &query{}
	q.sql.WriteString(base)
	return q
}

// add appends a fragment, numbering its "?" placeholders.
func (q *query) add(fragment string, args ...any) {
	parts := strings.Split(fragment, "?")
	if len(parts)-1 != len(args) {
		panic(fmt.Sprintf("query fragment %q has %d placeholders for %d args", fragment, len(parts)-1, len(args)))
	}
	for i, p := range parts {
		q.sql.WriteString(p)
		if i < len(args) {
			q.args = append(q.args, args[i])
			fmt.Fprintf(&q.sql, "$%d", len(q.args))
		}
	}
}

func (q *query) where(cond string, args ...any) { q.add(" AND ("+cond+")", args...) }

func (q *query) whereIf(ok bool, cond string, args ...any) {
	if ok {
		q.where(cond, args...)
	}
}

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Limit is the page size a requested limit gets.
func Limit(n int) int { return clampLimit(n) }

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// cursor is the keyset position after the last row of a page.
type cursor struct {
	Key string `json:"k"`
	ID  string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// badCursor is the answer to any cursor this server did not issue.
func badCursor() error {
	return zhidu.Invalid(zhidu.BadCursor(), map[string]zhidu.Message{"cursor": zhidu.NotACursor()})
}

// decodeCursor reads a cursor and checks that its fields are what the
// server writes for k (a forged one would otherwise reach PostgreSQL's
// casts and fail there).
func decodeCursor(s string, k sortKey) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID == "" || len(c.ID) > 200 || !printable(c.ID) || !k.validKey(c.Key) {
		return cursor{}, badCursor()
	}
	return c, nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// cursorTimeLayouts are the forms PostgreSQL writes a timestamptz's text in
// (DateStyle ISO), with an hour or hour:minute offset.
var cursorTimeLayouts = []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00"}

// validKey reports whether v is a value of the key's type as the server
// writes it into a cursor: a timestamp or infinity, or a smallint.
func (k sortKey) validKey(v string) bool {
	switch k.cast {
	case "timestamptz":
		if v == "infinity" {
			return true
		}
		for _, l := range cursorTimeLayouts {
			if _, err := time.Parse(l, v); err == nil {
				return true
			}
		}
		return false
	case "smallint":
		_, err := strconv.ParseInt(v, 10, 16)
		return err == nil
	}
	return false
}

// sortKey is one allowed sort column: its SQL expression (never null), the
// type its cursor value is cast to, and how to render a row's value.
type sortKey struct {
	expr, cast string
}

// parseSort turns "-created_at" into a sort key and direction.
func parseSort(s, def string, keys map[string]sortKey) (sortKey, bool, error) {
	if s == "" {
		s = def
	}
	desc := strings.HasPrefix(s, "-")
	name := strings.TrimPrefix(s, "-")
	k, ok := keys[name]
	if !ok {
		names := make([]string, 0, len(keys))
		for n := range keys {
			names = append(names, n)
		}
		return sortKey{}, false, zhidu.Invalid(zhidu.BadSort(), map[string]zhidu.Message{"sort": zhidu.SortOneOf(names)})
	}
	return k, desc, nil
}

// keyset adds the cursor condition and ORDER BY for a sort key; the table's
// id column is the tie-breaker.
func (q *query) keyset(k sortKey, desc bool, idCol string, after string) error {
	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	if after != "" {
		c, err := decodeCursor(after, k)
		if err != nil {
			return err
		}
		q.where(fmt.Sprintf("(%s, %s) %s (?::%s, ?)", k.expr, idCol, op, k.cast), c.Key, c.ID)
	}
	q.add(fmt.Sprintf(" ORDER BY %s %s, %s %s", k.expr, dir, idCol, dir))
	return nil
}

// fetchPage returns one page of a list, with a cursor after its last row
// when there are more. q selects limit+1 rows, each ending with its sort
// key as text; scan reads one row and, into extra, what follows its
// columns; id names a row for the cursor.
//
// The total comes either from the count query, sent with q in one round
// trip, or — when windowed — from the rows themselves: each carries the
// list's total (counted over all matching rows before the cursor applies)
// just before its sort key, so one pass over the rows answers both; the
// count query, if any, then runs only for a page with no rows (a page past
// the end; without a count query an empty page means none match).
func fetchPage[T any](ctx context.Context, s *Store, what string, count, q *query, windowed bool, limit int,
	scan func(row pgx.Row, extra ...any) (T, error), id func(T) string) (Page[T], error) {
	page := Page[T]{Items: []T{}}
	b := &pgx.Batch{}
	if !windowed {
		b.Queue(count.sql.String(), count.args...).QueryRow(func(row pgx.Row) error { return row.Scan(&page.Total) })
	}
	b.Queue(q.sql.String(), q.args...).Query(func(rows pgx.Rows) error {
		var lastKey string
		for rows.Next() {
			var key string
			extra := []any{&key}
			if windowed {
				extra = []any{&page.Total, &key}
			}
			item, err := scan(rows, extra...)
			if err != nil {
				return err
			}
			if len(page.Items) == limit {
				page.NextCursor = cursor{Key: lastKey, ID: id(page.Items[limit-1])}.encode()
				break
			}
			page.Items = append(page.Items, item)
			lastKey = key
		}
		return rows.Err()
	})
	if err := s.send(ctx, b); err != nil {
		return page, mapErr(err, what)
	}
	if windowed && len(page.Items) == 0 && count != nil {
		err := s.Pool.QueryRow(ctx, count.sql.String(), count.args...).Scan(&page.Total)
		return page, mapErr(err, what)
	}
	return page, nil
}
