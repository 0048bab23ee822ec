package engine

import "context"

type operationIDKey struct{}

// WithOperationID returns ctx carrying the id of the operation it runs (the id of the stream's
// Accepted event). Engines record it on what they create, so a later prune can tell whose it is.
func WithOperationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, operationIDKey{}, id)
}

// OperationID returns the operation id ctx carries, or "".
func OperationID(ctx context.Context) string {
	id, _ := ctx.Value(operationIDKey{}).(string)
	return id
}
