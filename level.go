package zhidu

import "fmt"

// Level is a secrecy level (密级). Higher is more secret; a reader's
// clearance must be at least an object's level.
type Level int

// The secrecy levels, in increasing order.
const (
	Public       Level = iota // 公开
	Internal                  // 内部
	Secret                    // 秘密
	Confidential              // 机密
	TopSecret                 // 绝密
)

var levelNames = [...]string{"public", "internal", "secret", "confidential", "top_secret"}
var levelNamesZh = [...]string{"公开", "内部", "秘密", "机密", "绝密"}

// Levels lists every level from public to top secret.
func Levels() []Level { return []Level{Public, Internal, Secret, Confidential, TopSecret} }

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= Public && l <= TopSecret }

// String returns the API name of the level ("secret").
func (l Level) String() string {
	if !l.Valid() {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// Zh returns the Chinese label of the level (秘密).
func (l Level) Zh() string {
	if !l.Valid() {
		return l.String()
	}
	return levelNamesZh[l]
}

// ParseLevel parses an API level name.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("unknown level %q: want one of public, internal, secret, confidential, top_secret", s)
}

// MaxLevel returns the higher of two levels.
func MaxLevel(a, b Level) Level {
	if a > b {
		return a
	}
	return b
}

// MarshalText encodes the level as its API name.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("invalid level %d", int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes an API level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
