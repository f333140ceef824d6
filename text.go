package zhidu

import (
	"strings"
	"unicode/utf8"
)

// CheckText says what is wrong with a text value, or nothing (IsZero) when
// nothing is.
// PostgreSQL refuses NUL bytes in text, and control characters have no
// business in a rule book's records: every text is valid UTF-8 without
// NUL, C0 or C1 control characters or DEL — except that long text (long:
// comments, content, reasons) may hold tabs and line breaks.
func CheckText(s string, long bool) Message {
	if !utf8.ValidString(s) {
		return TextUTF8()
	}
	if strings.IndexByte(s, 0) >= 0 {
		return TextNUL()
	}
	for _, r := range s {
		switch {
		case long && (r == '\n' || r == '\t' || r == '\r'):
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			if long {
				return TextControl()
			}
			return TextOneLine()
		}
	}
	return Message{}
}
