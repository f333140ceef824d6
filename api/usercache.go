package api

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"

	"github.com/zhidu/zhidu/store"
)

// maxCachedUsers bounds the user cache; when it is full it starts again
// empty, which costs one query per active caller.
const maxCachedUsers = 10_000

// userCache remembers the users authenticate resolved for a few seconds, so
// that a warm request runs no SQL statement to know its caller.
//
// Only active users are remembered, never a refusal. Every change to a user,
// their roles or designations empties the cache: at once on the replica
// that made it (ForgetUsers after each admin change) and on the others when
// PostgreSQL announces it (authz.Watch calls ForgetUsers); the TTL bounds
// how long a lost announcement can matter. A lookup that was in flight when
// the cache was emptied may have read the old row, so its result is not
// remembered (the generation tells).
type userCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.RWMutex
	gen     uint64 // counts ForgetUsers
	entries map[userCacheKey]cachedUser
}

// userCacheKey is the SHA-256 of a bearer token (never the token itself) or,
// for in-process callers (AsUser), a username; exactly one is set.
type userCacheKey struct {
	token [sha256.Size]byte
	name  string
}

func tokenKey(token string) userCacheKey {
	return userCacheKey{token: [sha256.Size]byte(store.HashToken(token))}
}

func nameKey(username string) userCacheKey { return userCacheKey{name: username} }

type cachedUser struct {
	user    store.User
	expires time.Time
}

// newUserCache returns a cache keeping users for ttl, or nil (no cache)
// when ttl is not positive.
func newUserCache(ttl time.Duration) *userCache {
	if ttl <= 0 {
		return nil
	}
	return &userCache{ttl: ttl, now: time.Now, entries: map[userCacheKey]cachedUser{}}
}

// user returns the user cached under key, or loads it and remembers it if
// it is active.
func (c *userCache) user(key userCacheKey, load func() (store.User, error)) (store.User, error) {
	if c == nil {
		return load()
	}
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[key]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return cloneUser(e.user), nil
	}
	u, err := load()
	if err != nil || u.Disabled {
		return u, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return u, nil // forgotten while loading: the row read may be stale
	}
	if len(c.entries) >= maxCachedUsers {
		clear(c.entries)
	}
	c.entries[key] = cachedUser{user: cloneUser(u), expires: now.Add(c.ttl)}
	return u, nil
}

// forget empties the cache.
func (c *userCache) forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// cloneUser copies the slices, so that no request can change a cached user.
func cloneUser(u store.User) store.User {
	u.Roles = slices.Clone(u.Roles)
	u.Designations = slices.Clone(u.Designations)
	return u
}

// ForgetUsers empties the cache of resolved users: the next request of
// every caller reads them from PostgreSQL again. Call it after any change
// to users, role grants or designations (the admin handlers do; authz.Watch
// does on every replica when PostgreSQL announces a change).
func (s *Server) ForgetUsers() { s.users.forget() }
