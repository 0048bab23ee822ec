package contract

import (
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// errorDomain is the ErrorInfo domain of every error this API returns.
const errorDomain = "liberty-checkpoint"

// toStatus turns an engine error into a gRPC status whose message is the whole error (field,
// problem, fix) and whose ErrorInfo detail carries the parts.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	e := engine.AsError(err)
	st := status.New(codes.Code(e.Code), e.Error())
	md := map[string]string{}
	if e.Field != "" {
		md["field"] = e.Field
	}
	if e.Fix != "" {
		md["fix"] = e.Fix
	}
	if d := e.Detail(); d != "" {
		md["message"] = d
	}
	if len(e.LogTail) > 0 {
		md["log_tail"] = strings.Join(e.LogTail, "\n")
	}
	if withInfo, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: strings.ToUpper(codeReason(e.Code)), Domain: errorDomain, Metadata: md}); derr == nil {
		st = withInfo
	}
	return st.Err()
}

func codeReason(c engine.Code) string {
	var b strings.Builder
	for i, r := range c.String() {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fromStatus turns a gRPC error back into an *engine.Error, recovering the parts from the
// ErrorInfo detail when the server sent one.
func fromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	e := &engine.Error{Code: engine.Code(st.Code()), Message: st.Message()}
	if st.Code() == codes.Unavailable {
		e.Fix = "the plugin or server stopped answering; run again with --log-level debug to see why"
	}
	for _, d := range st.Details() {
		info, ok := d.(*errdetails.ErrorInfo)
		if !ok || info.GetDomain() != errorDomain {
			continue
		}
		md := info.GetMetadata()
		e.Field, e.Fix = md["field"], md["fix"]
		if m := md["message"]; m != "" {
			e.Message = m
		}
		if t := md["log_tail"]; t != "" {
			e.LogTail = strings.Split(t, "\n")
		}
	}
	return e
}
