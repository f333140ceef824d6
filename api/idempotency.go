package api

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zhidu/zhidu"
	"github.com/zhidu/zhidu/store"
)

// idempotencyStore keeps the answers of calls sent with an
// Idempotency-Key (store/idempotency.go, migration 030).
type idempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, call store.IdempotentCall, now, expired, stale time.Time) (bool, store.IdempotentAnswer, error)
	IdempotencyKey(ctx context.Context, username string, keyHash []byte) (store.IdempotentAnswer, bool, error)
	FinishIdempotencyKey(ctx context.Context, call store.IdempotentCall, a store.IdempotentAnswer) error
	ReleaseIdempotencyKey(ctx context.Context, call store.IdempotentCall) error
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}

// ReplayedHeader marks an answer replayed from the first call under its
// Idempotency-Key.
const ReplayedHeader = "Idempotent-Replayed"

// idempotencyWait is how long a call waits for an earlier call under the
// same key that is still running before it answers 409
// idempotency.pending; idempotencyPoll how often it looks.
const (
	idempotencyWait = 5 * time.Second
	idempotencyPoll = 50 * time.Millisecond
)

// idempotencyTries is how often a write of the key's own row is tried
// while PostgreSQL is unavailable (each is safe to repeat: a claim is the
// request's own again, a finish or release changes nothing the second
// time), so that a lost answer leaves no key pending for nobody.
const idempotencyTries = 5

// idempotencyPurgeEvery is how often a replica deletes the rows past the
// retention (on a request, before its own claim).
const idempotencyPurgeEvery = 10 * time.Minute

// idempotent makes a mutating call sent with an Idempotency-Key safe to
// retry: the first call under a key (per caller) runs and its successful
// answer is kept for Config.IdempotencyTTL; a call with the same method,
// path and body under that key gets the same status and body again
// (with Idempotent-Replayed: true) and changes nothing; another request
// under it is 409 idempotency.reused naming the key. A call arriving
// while the first still runs waits up to idempotencyWait for its answer,
// then answers 409 idempotency.pending with Retry-After. Answers that
// are not 2xx are not kept: a 4xx changed nothing (so the corrected
// request may use the key, as the web's start form does after a
// validation error), and a 5xx may be retried. Reads pass through.
func (s *Server) idempotent(c *gin.Context) {
	key := c.GetHeader("Idempotency-Key")
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return
	}
	if key == "" || s.Config.IdempotencyTTL <= 0 {
		return
	}
	if len(key) > 200 {
		fail(c, invalid("Idempotency-Key", zhidu.MaxChars(200)))
		return
	}
	body, err := readBody(c)
	if err != nil { // over the size cap: the handler's decode says so
		return
	}
	u := currentUser(c)
	call := idempotentCall(u.Username, key, c.Request.Method, c.Request.URL.RequestURI(), body)
	ctx := c.Request.Context()
	s.purgeIdempotencyKeys(ctx)
	deadline := time.Now().Add(idempotencyWait)
	for {
		// Retention and the stale cut are elapsed time, not the business
		// clock s.Now (which tests freeze or compress).
		now := time.Now()
		var claimed bool
		var held store.IdempotentAnswer
		err := retryUnavailable(ctx, func(ctx context.Context) (err error) {
			claimed, held, err = s.Store.ClaimIdempotencyKey(ctx, call, now, now.Add(-s.Config.IdempotencyTTL),
				now.Add(-s.Config.RequestTimeout-30*time.Second))
			return err
		})
		if err != nil {
			s.releaseKey(c, call) // the claim may have been written, its answer lost
			fail(c, err)
			return
		}
		if claimed {
			if held.Resumed {
				c.Set(resumedKey, true)
			}
			c.Set(callKey, call.KeyHash)
			s.runIdempotent(c, call, key)
			return
		}
		for {
			if held.Method != call.Method || held.Path != call.Path || !bytes.Equal(held.RequestHash, call.RequestHash) {
				fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.IdempotencyReused(key)))
				return
			}
			if held.Done {
				replay(c, key, u.Username, held)
				return
			}
			if time.Now().After(deadline) {
				c.Header("Retry-After", "1")
				fail(c, zhidu.Fail(zhidu.CodeConflict, zhidu.IdempotencyPending(key)))
				return
			}
			select {
			case <-ctx.Done():
				fail(c, zhidu.Errorf(zhidu.CodeUnavailable, "the request timed out"))
				return
			case <-time.After(idempotencyPoll):
			}
			next, found, err := s.Store.IdempotencyKey(ctx, call.Username, call.KeyHash)
			if err != nil {
				continue // look again (the deadline still holds)
			}
			held = next
			if !found {
				break // the first call failed and let the key go: claim it
			}
		}
	}
}

// resumedKey marks, in the gin context, a call that took over its key from
// the same call abandoned while pending (a replica stopped in the middle
// of it): its effect may already be in place, and a handler that finds it
// so answers with it, as the first call would have (resumed).
const resumedKey = "zhidu.idempotency.resumed"

// resumed says the call resumes the same call abandoned under its
// Idempotency-Key.
func resumed(c *gin.Context) bool { return c.GetBool(resumedKey) }

// callKey holds, in the gin context, the hash of the call's
// Idempotency-Key (with its user), for requestKey.
const callKey = "zhidu.idempotency.call"

// requestKey names one effect of an idempotent call on object (a task),
// for a workflow that applies each key once; "" for a call without an
// Idempotency-Key. The same call sent again names it the same.
func requestKey(c *gin.Context, object string) string {
	h, ok := c.Get(callKey)
	if !ok {
		return ""
	}
	sum := sha256.Sum256(append(append([]byte(nil), h.([]byte)...), object...))
	return hex.EncodeToString(sum[:16])
}

// runIdempotent runs the handlers of a claimed call and keeps a 2xx
// answer; any other answer (or a panic) lets the key go. The writes use
// a context of their own: the request's may have timed out.
func (s *Server) runIdempotent(c *gin.Context, call store.IdempotentCall, key string) {
	w := &teeWriter{ResponseWriter: c.Writer}
	c.Writer = w
	kept := false
	defer func() {
		if !kept {
			s.releaseKey(c, call)
		}
	}()
	c.Next()
	status := w.Status()
	if status < 200 || status > 299 {
		return
	}
	sealed, err := seal(answerKey(call.Username, key), w.body.Bytes())
	if err != nil {
		slog.Error("seal idempotent answer", "user", call.Username, "error", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	h := w.Header()
	a := store.IdempotentAnswer{Status: status, ContentType: h.Get("Content-Type"), Location: h.Get("Location"), Body: sealed}
	if err := retryUnavailable(ctx, func(ctx context.Context) error { return s.Store.FinishIdempotencyKey(ctx, call, a) }); err != nil {
		slog.Error("keep idempotent answer", "user", call.Username, "error", err)
		return
	}
	kept = true
}

// releaseKey lets the request's claim of a key go, with a context of its
// own (the request's may have timed out).
func (s *Server) releaseKey(c *gin.Context, call store.IdempotentCall) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Second)
	defer cancel()
	if err := retryUnavailable(ctx, func(ctx context.Context) error { return s.Store.ReleaseIdempotencyKey(ctx, call) }); err != nil {
		slog.Error("release idempotency key", "user", call.Username, "error", err)
	}
}

// retryUnavailable runs f up to idempotencyTries times while it fails
// with PostgreSQL unavailable.
func retryUnavailable(ctx context.Context, f func(ctx context.Context) error) error {
	var err error
	for i := range idempotencyTries {
		if err = f(ctx); zhidu.ErrorCode(err) != zhidu.CodeUnavailable || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(i+1) * 10 * time.Millisecond)
	}
	return err
}

// replay answers with the kept answer of the first call.
func replay(c *gin.Context, key, username string, a store.IdempotentAnswer) {
	body, err := open(answerKey(username, key), a.Body)
	if err != nil {
		fail(c, err)
		return
	}
	if a.Location != "" {
		c.Header("Location", a.Location)
	}
	c.Header(ReplayedHeader, "true")
	c.Data(a.Status, a.ContentType, body)
	c.Abort()
}

// purgeIdempotencyKeys deletes the rows past the retention, once per
// idempotencyPurgeEvery per replica; a failure is logged and tried again
// next time.
func (s *Server) purgeIdempotencyKeys(ctx context.Context) {
	now := time.Now()
	last := s.purgedKeys.Load()
	if now.UnixNano()-last < int64(idempotencyPurgeEvery) || !s.purgedKeys.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	if _, err := s.Store.PurgeIdempotencyKeys(ctx, now.Add(-s.Config.IdempotencyTTL)); err != nil {
		slog.Warn("purge idempotency keys", "error", err)
		s.purgedKeys.Store(last)
	}
}

// readBody reads the request body whole and puts it back for the
// handler; on an error (the size cap) the handler reads the same error.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(c.Request.Body)
	if err != nil {
		c.Request.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{err}))
		return nil, err
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// idempotentCall says who calls under which key with what. The key
// itself is never stored: its hash stands for it, and the request's hash
// is salted with it, so the table does not give away what a body held
// (a password set) without the key.
func idempotentCall(username, key, method, path string, body []byte) store.IdempotentCall {
	claim := make([]byte, 16)
	_, _ = rand.Read(claim)
	return store.IdempotentCall{Claim: claim, Username: username, Method: method, Path: path,
		KeyHash:     digest("zhidu idempotency key", username, key),
		RequestHash: digest("zhidu idempotent request", username, key, method, path, string(canonicalJSON(body)))}
}

// canonicalJSON is a JSON body with its object keys sorted and its
// insignificant space dropped, so that a client re-encoding the same
// request is not refused; other bodies are taken as they are.
func canonicalJSON(b []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return b
	}
	out, err := json.Marshal(v)
	if err != nil {
		return b
	}
	return out
}

func digest(domain string, parts ...string) []byte {
	h := sha256.New()
	h.Write([]byte(domain))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return h.Sum(nil)
}

// answerKey is the AES-256 key a kept answer is sealed with: derived from
// the Idempotency-Key, which only the caller knows, so that a token in an
// answer (a created user's) is not readable from the table alone.
func answerKey(username, key string) []byte { return digest("zhidu idempotent answer", username, key) }

func seal(key, plain []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, plain, nil), nil
}

func open(key, sealed []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize() {
		return nil, errors.New("open idempotent answer: too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], nil)
	if err != nil {
		return nil, errors.New("open idempotent answer: " + err.Error())
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// teeWriter keeps a copy of what the handlers write.
type teeWriter struct {
	gin.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}
