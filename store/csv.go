package store

import (
	"encoding/csv"
	"io"
	"strings"
)

// CSVWriter writes CSV exports that a spreadsheet opens as text: a cell
// that begins with a character a spreadsheet reads as the start of a
// formula (= + - @, tab, carriage return, and their full-width forms) gets a
// leading single quote, as OWASP's CSV-injection guidance advises. Every
// CSV export writes through it, so none can forget.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter returns a CSVWriter on w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, neutralising formula-leading cells.
func (c *CSVWriter) Write(record []string) error {
	out := make([]string, len(record))
	for i, cell := range record {
		out[i] = CSVCell(cell)
	}
	return c.w.Write(out)
}

// Flush writes any buffered data and returns the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// formulaStarts are the characters a spreadsheet may take as a formula's
// first character.
const formulaStarts = "=+-@\t\r＝＋－＠"

// CSVCell returns cell as it is safe to write to a CSV export.
func CSVCell(cell string) string {
	if cell != "" && strings.ContainsAny(firstRune(cell), formulaStarts) {
		return "'" + cell
	}
	return cell
}

func firstRune(s string) string {
	for i := range s {
		if i > 0 {
			return s[:i]
		}
	}
	return s
}
