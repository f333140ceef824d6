package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/zhidu/zhidu"
)

// Rate is a request rate: N requests per Per, of which all N may come at
// once (a token bucket of N tokens refilled at N per Per). The zero Rate
// is no limit.
type Rate struct {
	N   int
	Per time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.N <= 0 || r.Per <= 0 }

func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return fmt.Sprintf("%d/%s", r.N, r.Per)
}

// ParseRate reads a rate written N/DURATION ("20/1m": 20 requests a
// minute, all 20 at once if need be), or "off" (or 0) for none.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Rate{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want N/DURATION (e.g. 20/1m) or off", s)
	}
	r := Rate{}
	var err error
	if r.N, err = strconv.Atoi(n); err != nil || r.N < 1 {
		return Rate{}, fmt.Errorf("rate %q: %q is not a positive number", s, n)
	}
	if r.Per, err = time.ParseDuration(per); err != nil || r.Per <= 0 {
		return Rate{}, fmt.Errorf("rate %q: %q is not a positive duration", s, per)
	}
	return r, nil
}

// Limiter keeps one token bucket per key (an address, an account) in this
// replica's memory: a replica's share of the traffic is limited, which is
// what protects it. Buckets unused long enough to be full again are
// forgotten, so memory follows the number of recent clients.
type Limiter struct {
	rate Rate

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// NewLimiter returns a limiter allowing r per key; nil when r is off (a
// nil Limiter allows everything).
func NewLimiter(r Rate) *Limiter {
	if r.Off() {
		return nil
	}
	return &Limiter{rate: r, buckets: map[string]*bucket{}}
}

// Allow takes one request of key at now from its bucket, or reports how
// long until the bucket has one again.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.rate.Per {
		for k, b := range l.buckets {
			if now.Sub(b.last) > l.rate.Per {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(float64(l.rate.N)/l.rate.Per.Seconds()), l.rate.N)}
		l.buckets[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// RetryAfter sets the Retry-After header to wait, in whole seconds
// rounded up (at least 1).
func RetryAfter(h http.Header, wait time.Duration) {
	h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
}

// tooMany answers 429 with Retry-After.
func tooMany(c *gin.Context, wait time.Duration, what string) {
	RetryAfter(c.Writer.Header(), wait)
	fail(c, zhidu.Errorf(zhidu.CodeTooManyRequests, "too many requests %s: retry in %s", what, wait.Round(time.Second)))
}

// limitAddress limits requests per client address (before the caller is
// known, so floods and token guessing are limited too).
func (s *Server) limitAddress(c *gin.Context) {
	if ok, wait := s.perAddress.Allow(c.ClientIP(), time.Now()); !ok {
		tooMany(c, wait, "from this address")
	}
}

// limitUser limits requests per signed-in caller, whatever their address.
func (s *Server) limitUser(c *gin.Context) {
	if ok, wait := s.perUser.Allow(currentUser(c).Username, time.Now()); !ok {
		tooMany(c, wait, "from this account")
	}
}
