package zhidu

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckText says what is wrong with a text value, or nothing (IsZero) when
// nothing is.
// PostgreSQL refuses NUL bytes in text, and control characters have no
// business in a rule book's records: every text is valid UTF-8 without
// NUL, C0 or C1 control characters or DEL — except that long text (long:
// comments, content, reasons) may hold tabs and line breaks.
//
// Unicode tricks are refused too. No text holds a bidirectional
// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069): they
// make a text display otherwise than it reads ("Trojan Source"). One-line
// text — names, titles, identifiers, keys, query and path parameters — is
// what people compare by eye, so it holds no invisible format character
// either (Unicode category Cf: zero-width spaces and joiners, the
// byte-order mark, soft hyphens, bidi marks) and no Unicode line or
// paragraph separator; long text may keep a zero-width joiner an emoji
// needs.
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
		case BidiControl(r):
			return TextBidi()
		case long:
		case r == '\u2028' || r == '\u2029':
			return TextOneLine()
		case unicode.Is(unicode.Cf, r):
			return TextInvisible()
		}
	}
	return Message{}
}

// BidiControl reports whether r is a bidirectional embedding, override or
// isolate control, which CheckText refuses in every text.
func BidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}
