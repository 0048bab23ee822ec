package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Code classifies an Error. The values mirror the gRPC status codes they travel as.
type Code int

const (
	CodeUnknown            Code = 2
	CodeInvalidArgument    Code = 3  // a request field is wrong
	CodeDeadlineExceeded   Code = 4  // a timeout expired
	CodeNotFound           Code = 5  // a file, image or container the request names does not exist
	CodeAlreadyExists      Code = 6  // something the request would create exists already
	CodePermissionDenied   Code = 7  // the caller may not ask for this (a path outside serve's root, a connection override)
	CodeFailedPrecondition Code = 9  // the machine or the image cannot do what was asked
	CodeInternal           Code = 13 // a bug or an unexpected answer from a dependency
	CodeUnavailable        Code = 14 // the container engine cannot be reached
	CodeUnauthenticated    Code = 16 // a registry refused the credentials
	CodeCanceled           Code = 1  // the caller cancelled
)

var codeNames = map[Code]string{
	CodeUnknown: "Unknown", CodeInvalidArgument: "InvalidArgument", CodeDeadlineExceeded: "DeadlineExceeded",
	CodeNotFound: "NotFound", CodeAlreadyExists: "AlreadyExists", CodePermissionDenied: "PermissionDenied", CodeFailedPrecondition: "FailedPrecondition",
	CodeInternal: "Internal", CodeUnavailable: "Unavailable", CodeCanceled: "Canceled", CodeUnauthenticated: "Unauthenticated",
}

func (c Code) String() string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Error is a failure that tells the user what went wrong and how to fix it.
type Error struct {
	Code Code
	// Field is the request field at fault, in the API's spelling (app_archive, ports[0].host_port),
	// or empty when no single field is.
	Field string
	// Message says what went wrong.
	Message string
	// Fix says what to do about it.
	Fix string
	// LogTail holds the last lines of the relevant log (container output, checkpoint.log).
	LogTail []string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Detail())
	if e.Fix != "" {
		b.WriteString(". Fix: ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Detail is the message with its cause, without the field and the fix.
func (e *Error) Detail() string {
	if e.Err != nil && !strings.Contains(e.Message, e.Err.Error()) {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

// Errorf builds an *Error.
func Errorf(code Code, field, fix, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Fix: fix, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an *Error around a cause.
func Wrap(err error, code Code, fix, format string, args ...any) *Error {
	return &Error{Code: code, Fix: fix, Message: fmt.Sprintf(format, args...), Err: err}
}

// Invalid reports a bad request field.
func Invalid(field, fix, format string, args ...any) *Error {
	return Errorf(CodeInvalidArgument, field, fix, format, args...)
}

// Denied reports a request field the caller may not set, or not to that value.
func Denied(field, fix, format string, args ...any) *Error {
	return Errorf(CodePermissionDenied, field, fix, format, args...)
}

// AsError returns err's *Error, or a new one classifying err: context cancellation becomes
// CodeCanceled, an expired deadline CodeDeadlineExceeded, anything else CodeUnknown.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeCanceled, Message: "cancelled", Err: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Code: CodeDeadlineExceeded, Field: "timeout_seconds", Message: "the operation took too long",
			Fix: "raise timeout_seconds (--timeout) or look at the log above for what it waited on", Err: err}
	}
	return &Error{Code: CodeUnknown, Message: err.Error(), Err: err}
}

// CodeOf returns the Code of err (CodeUnknown for a plain error, 0 for nil).
func CodeOf(err error) Code {
	if err == nil {
		return 0
	}
	return AsError(err).Code
}

// IsCanceled reports whether err means the operation was cancelled.
func IsCanceled(err error) bool { return CodeOf(err) == CodeCanceled }
