package payload

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

// Metadata of an encrypted payload. The plaintext payload (its own
// metadata and data) is sealed whole, so nothing of it stays readable.
const (
	// EncodingEncrypted is the encoding of an encrypted payload.
	EncodingEncrypted = "binary/encrypted"
	// MetaKeyID names the key that sealed the payload.
	MetaKeyID = "encryption-key-id"
	// MetaCipher names the cipher, for whoever reads a history by hand.
	MetaCipher = "encryption-cipher"
	// MetaNamespace and MetaWorkflowID say whose payload it is; both are
	// authenticated with the ciphertext, so they cannot be swapped.
	MetaNamespace  = "zhidu-namespace"
	MetaWorkflowID = "zhidu-workflow-id"

	cipherName = "AES-256-GCM"
)

// ErrUnknownKey is returned for a payload sealed with a key the ring does
// not hold.
var ErrUnknownKey = errors.New("payload sealed with an unknown key")

// Keyring holds the payload keys: the active one encrypts, all decrypt.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
}

// NewKeyring builds a ring from keys; keys[0] is the active one.
func NewKeyring(keys []Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("no payload key")
	}
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	kr := &Keyring{active: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.ID, err)
		}
		if kr.aeads[k.ID], err = cipher.NewGCM(block); err != nil {
			return nil, fmt.Errorf("key %s: %w", k.ID, err)
		}
	}
	return kr, nil
}

// ActiveKeyID is the ID of the key that encrypts.
func (kr *Keyring) ActiveKeyID() string { return kr.active }

// Origin is whose payload it is, as sealed with it: empty fields when it
// was encrypted outside any workflow (e.g. failure details).
type Origin struct {
	Namespace  string
	WorkflowID string
}

// aad binds the key ID and the origin to the ciphertext; every field is
// length-prefixed so no two tuples encode alike.
func aad(keyID string, o Origin) []byte {
	b := []byte("zhidu/payload/v1")
	for _, s := range []string{keyID, o.Namespace, o.WorkflowID} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// Seal encrypts p with the active key for origin o.
func (kr *Keyring) Seal(p *commonpb.Payload, o Origin) (*commonpb.Payload, error) {
	plain, err := proto.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encrypt payload: %w", err)
	}
	aead := kr.aeads[kr.active]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("encrypt payload: %w", err)
	}
	md := map[string][]byte{
		converter.MetadataEncoding: []byte(EncodingEncrypted),
		MetaKeyID:                  []byte(kr.active),
		MetaCipher:                 []byte(cipherName),
	}
	if o.Namespace != "" {
		md[MetaNamespace] = []byte(o.Namespace)
	}
	if o.WorkflowID != "" {
		md[MetaWorkflowID] = []byte(o.WorkflowID)
	}
	return &commonpb.Payload{Metadata: md, Data: aead.Seal(nonce, nonce, plain, aad(kr.active, o))}, nil
}

// Encrypted reports whether p was sealed by Seal.
func Encrypted(p *commonpb.Payload) bool {
	return string(p.GetMetadata()[converter.MetadataEncoding]) == EncodingEncrypted
}

// Open decrypts a sealed payload and returns it with the origin it was
// sealed for; a payload that is not encrypted (histories written before
// encryption) is returned as it is, with encrypted false.
func (kr *Keyring) Open(p *commonpb.Payload) (plain *commonpb.Payload, o Origin, encrypted bool, err error) {
	if !Encrypted(p) {
		return p, Origin{}, false, nil
	}
	md := p.GetMetadata()
	id := string(md[MetaKeyID])
	aead, ok := kr.aeads[id]
	if !ok {
		return nil, o, true, fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	o = Origin{Namespace: string(md[MetaNamespace]), WorkflowID: string(md[MetaWorkflowID])}
	data := p.GetData()
	if len(data) < aead.NonceSize() {
		return nil, o, true, errors.New("decrypt payload: too short")
	}
	b, err := aead.Open(nil, data[:aead.NonceSize()], data[aead.NonceSize():], aad(id, o))
	if err != nil {
		return nil, o, true, fmt.Errorf("decrypt payload (key %s): %w", id, err)
	}
	plain = &commonpb.Payload{}
	if err := proto.Unmarshal(b, plain); err != nil {
		return nil, o, true, fmt.Errorf("decrypt payload: %w", err)
	}
	return plain, o, true, nil
}

// Codec is the converter.PayloadCodec that seals every payload it
// encodes. Given a serialization context (the SDK passes one for workflow
// and activity payloads) it seals payloads for that workflow.
type Codec struct {
	ring   *Keyring
	origin Origin
}

var (
	_ converter.PayloadCodec                         = (*Codec)(nil)
	_ converter.PayloadCodecWithSerializationContext = (*Codec)(nil)
)

// NewCodec returns a codec sealing with ring's active key.
func NewCodec(ring *Keyring) *Codec { return &Codec{ring: ring} }

// WithSerializationContext returns the codec for the context's workflow.
func (c *Codec) WithSerializationContext(sc converter.SerializationContext) converter.PayloadCodec {
	var o Origin
	switch sc := sc.(type) {
	case converter.WorkflowSerializationContext:
		o = Origin{Namespace: sc.Namespace, WorkflowID: sc.WorkflowID}
	case converter.ActivitySerializationContext:
		o = Origin{Namespace: sc.Namespace, WorkflowID: sc.WorkflowID}
	default:
		return c
	}
	if o == c.origin {
		return c
	}
	return &Codec{ring: c.ring, origin: o}
}

// Encode seals each payload.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if Encrypted(p) {
			out[i] = p
			continue
		}
		var err error
		if out[i], err = c.ring.Seal(p, c.origin); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Decode opens each sealed payload and passes the others through.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, _, _, err := c.ring.Open(p)
		if err != nil {
			return nil, err
		}
		out[i] = plain
	}
	return out, nil
}

// DataConverter is the SDK's default converter with every payload sealed
// by ring.
func DataConverter(ring *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(ring))
}

// FailureConverter moves failure messages and stack traces into a payload
// that dc seals, so an error's text (which may quote the data it failed
// on) is not left readable either.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{DataConverter: dc, EncodeCommonAttributes: true})
}
